// Drift as text for the CLI and the editor's messages; paths from a host are data, so control
// characters are stripped (docs/architecture.md, "Hotfixes and drift").
import { shortCommit } from '../traces/deployed';
import { stripControl } from '../util/text';
import type { DriftReport } from './drift';

export function driftSummary(report: DriftReport): string {
  const n = report.changes.length;
  const what =
    n === 0 ? 'no file differs from the repository' : `${n} file${n === 1 ? '' : 's'} differ${n === 1 ? 's' : ''} from the repository`;
  return `${report.host} ${stripControl(report.deployDir)} at ${shortCommit(report.commit)} (${stripControl(report.revision)}): ${what} (${report.hostFiles} files on the host)`;
}

export function formatDriftText(report: DriftReport): string {
  const lines = [driftSummary(report)];
  for (const change of report.changes) lines.push(`  ${change.kind.padEnd(9)} ${stripControl(change.path)}`);
  if (report.ignore.length > 0) lines.push(`ignored: ${report.ignore.join(' ')}`);
  if (report.truncated) lines.push('warning: the host listed more than the output bound allows; changes past it are not shown');
  return lines.join('\n') + '\n';
}
