// Writes an excerpt without ever replacing a file: each name is created exclusively, so a file
// made by someone else (or a second save in the same second) moves this one to the next name.
// No `vscode` here: unit-tested in plain Node (test/unit/logs-views).
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { EventPublisher } from '../../core/events';
import { excerptBaseName, excerptFileNames } from './model';

/** Creates `dir` if needed and the first free excerpt file name for `base` in it; returns its path. */
export async function writeNewExcerptFile(dir: string, base: string, text: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  for (const name of excerptFileNames(base)) {
    const path = join(dir, name);
    try {
      await fs.writeFile(path, text, { flag: 'wx' });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`${base}.log and its numbered variants all exist already`);
}

/** How much of the excerpt's newest line the timeline shows. */
const MAX_LAST_LINE = 300;

/**
 * Saves `lines` of `source` (a host and file, or labels such as "2 hosts" / "3 files" for a merged
 * terminal) as a new excerpt in `dir`, and publishes log.excerptSaved. Returns the file's path.
 */
export async function saveExcerptFile(
  dir: string,
  source: { host: string; file: string },
  lines: readonly string[],
  events: EventPublisher,
  now = new Date(),
): Promise<string> {
  const text = lines.length > 0 ? `${lines.join('\n')}\n` : '';
  const path = await writeNewExcerptFile(dir, excerptBaseName(source.host, source.file, now), text);
  // The newest line goes on the timeline as a glimpse of the excerpt (raw: the timeline shows it as text).
  const lastLine = [...lines].reverse().find((line) => line.trim() !== '');
  events.publish('log.excerptSaved', 'logs', {
    host: source.host,
    path: source.file,
    file: path,
    lines: lines.length,
    ...(lastLine !== undefined ? { lastLine: lastLine.slice(0, MAX_LAST_LINE) } : {}),
  });
  return path;
}
