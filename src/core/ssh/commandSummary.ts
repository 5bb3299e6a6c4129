// Commands the extension runs can be whole scripts (health, log following); logs and the
// timeline show them on one line, cut to a readable length.

/** The command on one line, white space folded, at most `max` characters (ending in "…" when cut). */
export function commandSummary(command: string, max = 160): string {
  const oneLine = command.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}
