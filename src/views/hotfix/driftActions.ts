// What the Incident panel's drift section asks of the hotfix features: the hosts with a deploy
// directory, a check that lists their drift, and the two actions on a changed file. Plain data
// crosses, so the panel needs no hotfix code (docs/architecture.md, "Hotfixes and drift").
import type { DriftChange } from '../../core/hotfix/compare';

/** One host's drift as the panel lists it. */
export interface DriftOverview {
  summary: string;
  truncated: boolean;
  changes: Pick<DriftChange, 'path' | 'kind'>[];
}

export interface DriftActions {
  /** The hosts drift can be checked on (those with a deployDir in hosts.json). */
  hosts(): string[];
  /** Compares the host with the repository; rejects with a message the user can act on. */
  check(host: string): Promise<DriftOverview>;
  /** The file at the deployed revision against the host's copy, from the last check of the host. */
  openDiff(host: string, path: string): Promise<void>;
  /** The host's copy into the work tree of the checked-out hotfix branch (the file deleted when missing there). */
  bring(host: string, path: string): Promise<void>;
}
