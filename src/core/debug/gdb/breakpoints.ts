// DAP breakpoint requests as gdb/MI commands, and gdb's answers as RuntimeBreakpoints. A hit
// condition becomes an ignore count; a logpoint is a plain breakpoint whose hits the runtime
// answers itself (interpolate, then continue), never shown as a stop.
import type { BreakpointRequest, RuntimeBreakpoint } from '../runtime';
import { miList, miString, miTuple, type MiTuple } from './miParser';

/** How many hits to skip for a DAP hit condition ("5", "=5", ">=5", ">4"), or an error sentence. */
export function ignoreCount(hitCondition: string): number | { error: string } {
  const match = /^\s*(>=|>|==|=)?\s*(\d+)\s*$/.exec(hitCondition);
  if (!match)
    return { error: `Hit condition "${hitCondition}" is not supported: use a number N (or >= N, > N) to stop from the Nth hit on.` };
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
 * A logpoint's message with each {expression} replaced by its value (or `<error: …>`). The runtime
 * evaluates while the hit holds the process, then continues it: breakpoint commands that print
 * and continue would run only when gdb next reads a command in MI mode, and a failing `output`
 * would leave the process stopped.
 */
export async function interpolate(message: string, valueOf: (expression: string) => Promise<string>): Promise<string> {
  const pattern = /\{([^{}]+)\}/g;
  let out = '';
  let last = 0;
  for (let match = pattern.exec(message); match; match = pattern.exec(message)) {
    out += message.slice(last, match.index);
    out += await valueOf(match[1]!.trim()).catch((error: unknown) => `<error: ${error instanceof Error ? error.message : String(error)}>`);
    last = match.index + match[0].length;
  }
  return out + message.slice(last);
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
    return {
      id,
      verified: false,
      line,
      message: `Not in the loaded code yet (pending): ${miString(bkpt['original-location']) ?? ''}`.trim(),
    };
  }
  return { id, verified: true, line };
}
