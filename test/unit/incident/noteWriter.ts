// A second writer for the two-process test: appends N notes to an incident as fast as it can.
import { IncidentJournal } from '../../../src/core/incident/journal';
import { IncidentStore } from '../../../src/core/incident/store';

async function main(): Promise<void> {
  const [root, id, who, count] = process.argv.slice(2);
  const journal = new IncidentJournal(new IncidentStore(root), { who });
  for (let n = 0; n < Number(count); n++) await journal.note(id, `${who} ${n}`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
