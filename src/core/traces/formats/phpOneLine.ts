// PHP fatal errors as WordPress and many hosting logs print them, on one line: `PHP Fatal error:
// Uncaught T: m in /a.php:287 Stack trace: #0 /b.php(311): f() #1 {main} thrown in /a.php on line
// 287`. Split into the lines PHP would have printed, so ./php.ts reads them as any other trace.
import type { LogicalLine } from '../logicalLine';

export const STACK_TRACE = ' Stack trace: #0 ';
const THROWN_IN = ' thrown in ';

/** The header, `Stack trace:`, each `#N …` frame and `thrown in …`; null when the line is not one. */
export function splitPhpOneLine(line: LogicalLine): LogicalLine[] | null {
  const text = line.text;
  const stack = text.indexOf(STACK_TRACE);
  if (stack < 0) return null;
  const parts = [line.slice(0, stack), line.slice(stack + 1, stack + 13)];
  let from = stack + 14;
  // Only the next frame number counts as a break, so `#1` inside an argument does not split a frame.
  for (let next = 1; ; next++) {
    const marker = ` #${next} `;
    const at = text.indexOf(marker, from);
    if (at < 0) break;
    parts.push(line.slice(from, at));
    from = at + 1;
  }
  const thrown = text.indexOf(THROWN_IN, from);
  if (thrown >= 0) {
    parts.push(line.slice(from, thrown));
    parts.push(line.slice(thrown + 1, text.length));
  } else parts.push(line.slice(from, text.length));
  return parts;
}
