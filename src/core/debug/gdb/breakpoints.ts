// DAP breakpoint requests as gdb/MI commands, and gdb's answers as RuntimeBreakpoints. A hit
// condition becomes an ignore count; a logpoint is a breakpoint whose commands print and continue
// (`silent`, `echo`, `output EXPR`, `continue`), so gdb never reports it as a stop to the user.
import type { BreakpointRequest, RuntimeBreakpoint } from '../runtime';
import { miList, miString, miTuple, type MiTuple } from './miParser';

/** How many hits to skip for a DAP hit condition ("5", "=5", ">=5", ">4"), or an error sentence. */
export function ignoreCount(hitCondition: string): number | { error: string } {
  const match = /^\s*(>=|>|==|=)?\s*(\d+)\s*$/.exec(hitCondition);
  if (!match) return { error: `Hit condition "${hitCondition}" is not supported: use a number N (or >= N, > N) to stop from the Nth hit on.` };
  const n = Number(match[2]);
  return match[1] === '>' ? n : Math.max(0, n - 1);
}

/** The -break-insert options (pending allowed, condition, ignore count) for a request. */
export function insertPlan(request: BreakpointRequest): { options: string[] } | { error: string } {
  const options = ['-f'];
  if (request.condition?.trim()) options.push('-c', request.condition);
  if (request.hitCondition?.trim()) {
    const ignore = ignoreCount(request.hitCondition);
    if (typeof ignore !== 'number') return ignore;
    if (ignore > 0) options.push('-i', String(ignore));
  }
  return { options };
}

/**
 * The commands of a logpoint: literal text through `echo` (escaped, since echo reads C escapes
 * and drops leading blanks), each {expression} through `output`, then `continue`.
 */
export function logpointCommands(message: string): string[] {
  const commands = ['silent'];
  const pattern = /\{([^{}]+)\}/g;
  let last = 0;
  for (let match = pattern.exec(message); match; match = pattern.exec(message)) {
    if (match.index > last) commands.push(`echo ${echoText(message.slice(last, match.index))}`);
    commands.push(`output ${match[1]!.trim()}`);
    last = match.index + match[0].length;
  }
  if (last < message.length) commands.push(`echo ${echoText(message.slice(last))}`);
  commands.push('echo \\n', 'continue');
  return commands;
}

function echoText(text: string): string {
  return Array.from(Buffer.from(text, 'utf8'), (byte) => {
    const char = String.fromCharCode(byte);
    return /[A-Za-z0-9_.,:;=+\-*/()[\]<>!?@%&|~^'"`$]/.test(char) ? char : `\\${byte.toString(8).padStart(3, '0')}`;
  }).join('');
}

/** A breakpoint as gdb reported it (`bkpt={…}` of -break-insert). */
export function fromBkpt(bkpt: MiTuple | undefined, requestedLine?: number): RuntimeBreakpoint {
  if (!bkpt) return { verified: false, line: requestedLine, message: 'gdb did not describe the breakpoint.' };
  const number = Number(miString(bkpt.number));
  const addr = miString(bkpt.addr);
  const firstLocation = miTuple(miList(bkpt.locations)[0]);
  const line = Number(miString(bkpt.line) ?? miString(firstLocation?.line)) || requestedLine;
  const id = Number.isFinite(number) ? number : undefined;
  if (addr === '<PENDING>') {
    return { id, verified: false, line, message: `Not in the loaded code yet (pending): ${miString(bkpt['original-location']) ?? ''}`.trim() };
  }
  return { id, verified: true, line };
}
