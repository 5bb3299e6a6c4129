// Quoting for POSIX sh command lines sent to hosts.

/** One word for a POSIX shell: single-quoted, with embedded single quotes escaped. */
export function shellWord(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
