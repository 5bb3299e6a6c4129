// How gdb's *stopped records read as DebugRuntime stops, and gdb's text as debug console text.
import type { RuntimeBreakpoint, RuntimeStop } from '../runtime';
import { miString } from './miParser';
import type { MiAsyncRecord } from './miSession';

/** The stop a `*stopped` record with `reason` (and `signal-name`) shows the user. */
export function stopOf(record: MiAsyncRecord, reason: string, signal: string | undefined): RuntimeStop {
  const threadId = Number(miString(record.results['thread-id'])) || undefined;
  const base = { threadId, allThreadsStopped: true };
  switch (reason) {
    case 'breakpoint-hit':
    case 'watchpoint-trigger':
    case 'read-watchpoint-trigger':
    case 'access-watchpoint-trigger': {
      const number = Number(miString(record.results.bkptno));
      return { ...base, reason: 'breakpoint', hitBreakpointIds: Number.isFinite(number) ? [number] : undefined };
    }
    case 'end-stepping-range':
    case 'function-finished':
    case 'location-reached':
      return { ...base, reason: 'step' };
    case 'signal-received':
      if (signal === 'SIGINT') return { ...base, reason: 'pause' };
      return { ...base, reason: 'signal', text: `${signal ?? 'signal'}: ${miString(record.results['signal-meaning']) ?? ''}`.trim() };
    default:
      return { ...base, reason: 'pause', text: reason };
  }
}

export function idsOf(breakpoints: RuntimeBreakpoint[]): number[] {
  return breakpoints.flatMap((breakpoint) => (breakpoint.id === undefined ? [] : [breakpoint.id]));
}

/** Text from gdb or the host, for the debug console: no terminal control sequences. */
export function shown(text: string): string {
  return text.replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}
