// Terminal colour and control sequences removed from a line, keeping each character's offset.
import { LogicalLine } from './logicalLine';

const ESC = 0x1b;
const CSI_8BIT = 0x9b;

/** Removes CSI, OSC and two-character escape sequences, keeping offsets. */
export function stripAnsi(line: LogicalLine): LogicalLine {
  const s = line.text;
  const parts: string[] = [];
  const table = new Int32Array(s.length + 1);
  let length = 0;
  let i = 0;
  while (i < s.length) {
    // Copy the run up to the next escape in one piece.
    let next = i;
    while (next < s.length && s.charCodeAt(next) !== ESC && s.charCodeAt(next) !== CSI_8BIT) next++;
    if (next > i) {
      parts.push(s.slice(i, next));
      line.copyOffsets(table, length, i, next);
      length += next - i;
    }
    i = next < s.length ? ansiSequenceEnd(s, next) : next;
  }
  table[length] = line.offsetAt(s.length);
  return LogicalLine.mapped(parts.join(''), table.subarray(0, length + 1), line.physicalStart, line.physicalEnd);
}

function ansiSequenceEnd(s: string, i: number): number {
  const c = s.charCodeAt(i);
  let j = i + 1;
  if (c === ESC) {
    if (j >= s.length) return j;
    const kind = s[j];
    if (kind === '[') j++;
    else if (kind === ']' || kind === 'P' || kind === '_' || kind === '^') {
      // OSC/DCS/APC/PM: ends at BEL or ESC \.
      j++;
      while (j < s.length) {
        const d = s.charCodeAt(j);
        if (d === 7) return j + 1;
        if (d === ESC) return s[j + 1] === '\\' ? j + 2 : j;
        j++;
      }
      return j;
    } else return j + 1;
  }
  // CSI: parameter bytes 0x30-0x3f, intermediates 0x20-0x2f, one final byte 0x40-0x7e.
  while (j < s.length) {
    const d = s.charCodeAt(j);
    if (d >= 0x20 && d <= 0x3f) j++;
    else return d >= 0x40 && d <= 0x7e ? j + 1 : j;
  }
  return j;
}
