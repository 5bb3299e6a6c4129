// The four steps of the software-firefighting workflow and their checklists (docs/architecture.md,
// "Incidents"): identify, reproduce and localize (service → module → method → statement), prepare
// the hotfix, write it up. Which event ticks which check is in rules.ts.
import type { Check, Step, StepId } from './types';

export interface CheckDefinition {
  id: string;
  title: string;
  /** What to try next when the check is still open; with a reference to read where one helps. */
  hint: string;
}

export interface StepDefinition {
  id: StepId;
  title: string;
  checks: CheckDefinition[];
}

export const STEP_DEFINITIONS: readonly StepDefinition[] = [
  {
    id: 'identify',
    title: 'Identify the problem',
    checks: [
      { id: 'connect', title: 'Connect to the production environment', hint: 'Connect to a host from the Hosts view.' },
      {
        id: 'live-stats',
        title: 'Collect live stats',
        hint: 'Expand the host for load, CPU and memory, or run top (Linux Load Averages: brendangregg.com/blog/2017-08-08/linux-load-averages.html).',
      },
      {
        id: 'load-high',
        title: 'Load per CPU above 1 seen (or ruled out)',
        hint: 'Compare the load averages with the number of CPUs; tick by hand if load is not the problem.',
      },
      { id: 'logs', title: 'Read the logs', hint: 'Tail the service log (Tail Log…) and filter it, as tail and grep would.' },
    ],
  },
  {
    id: 'localize',
    title: 'Reproduce and localize',
    checks: [
      { id: 'service', title: 'Service: which one misbehaves', hint: 'Save an excerpt of the log lines that show the failure.' },
      { id: 'module', title: 'Module: where in the code', hint: 'Analyze a stack trace from the log or a terminal.' },
      {
        id: 'method',
        title: 'Method: which function',
        hint: 'Take a stack snapshot or a sample of the live process (tracing tools: brendangregg.com/linuxperf.html).',
      },
      { id: 'statement', title: 'Statement: the line that ran', hint: 'Open the frame at the deployed revision.' },
      {
        id: 'repeat',
        title: 'Repeat the harmful action, only if it is safe',
        hint: 'Tick by hand with why it was safe, or why it was skipped.',
      },
    ],
  },
  {
    id: 'hotfix',
    title: 'Prepare the hotfix',
    checks: [
      { id: 'similar', title: 'Look for similar problems in past incidents', hint: 'Search past incidents by this trace or by words.' },
      { id: 'change', title: 'Make the change locally', hint: 'Start a hotfix branch from the deployed revision and commit there.' },
      { id: 'test', title: 'Test it without touching production', hint: 'Run the tests on the hotfix branch.' },
      { id: 'deploy', title: 'Move it to production', hint: 'Deploy the hotfix branch.' },
      {
        id: 'verify',
        title: 'Verify the problem is solved and nothing new broke',
        hint: 'Check health and logs on the host after the deploy.',
      },
    ],
  },
  {
    id: 'write-up',
    title: 'Write it up',
    checks: [
      { id: 'write-up', title: 'Write it up for the team', hint: 'Generate write-up.md and fill in summary, impact and lessons.' },
      { id: 'action-items', title: 'Action items have owners', hint: 'Add action items (mitigate, prevent, process) with an owner each.' },
    ],
  },
];

/** The checklists of a new incident, nothing ticked. */
export function newSteps(): Step[] {
  return STEP_DEFINITIONS.map((step) => ({
    id: step.id,
    title: step.title,
    checks: step.checks.map((check): Check => ({ id: check.id, title: check.title, done: false, how: null })),
  }));
}

/** The definition of one check (its title and hint), by step and check id. */
export function checkDefinition(step: string, check: string): CheckDefinition | undefined {
  return STEP_DEFINITIONS.find((s) => s.id === step)?.checks.find((c) => c.id === check);
}
