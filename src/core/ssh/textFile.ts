// Reading a config file the user (or a workspace) points at: only a regular file, of bounded
// size, so `/dev/zero`, a FIFO or a huge file is one clear error naming the file instead of
// unbounded memory or a silent hang.
import * as fs from 'node:fs';

export class UnreadableFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly code?: string,
  ) {
    super(`cannot read ${file}: ${reason}`);
    this.name = 'UnreadableFileError';
  }
}

/** The file's text; throws UnreadableFileError (code ENOENT when it does not exist). */
export function readRegularTextFile(file: string, maxBytes: number): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not block.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UnreadableFileError(file, code === 'ENOENT' ? 'no such file' : (error as Error).message, code);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new UnreadableFileError(file, 'not a regular file');
    if (stat.size > maxBytes)
      throw new UnreadableFileError(file, `larger than ${formatBytes(maxBytes)} (${formatBytes(stat.size)}); is it the right file?`);
    // Read at most one byte past the cap: a file that grows while read is still bounded.
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length < buffer.length; length += read)
      read = fs.readSync(fd, buffer, length, buffer.length - length, null);
    if (length > maxBytes) throw new UnreadableFileError(file, `larger than ${formatBytes(maxBytes)}; is it the right file?`);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${bytes} bytes`;
}
