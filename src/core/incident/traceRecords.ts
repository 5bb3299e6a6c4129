// What an incident keeps of a stack trace so a later incident can find it again: the fingerprint
// for an exact match, and the application frames (function@file, innermost first) for a similar
// one (docs/architecture.md, "Incidents: past incidents").
import { findStackTraces, type StackTrace } from '../traces';
import { baseName } from '../traces/syntax';
import type { TraceRecord } from './types';

const MAX_APP_FRAMES = 24;

/** `function@file.py`: stable across deploys (no line, no release directory). */
function frameKey(fn: string | null, file: string | null): string {
  return `${fn ?? '?'}@${file ? baseName(file) : '?'}`;
}

function traceRecordOf(trace: StackTrace, firstSeen: string): TraceRecord {
  const keys: string[] = [];
  // Other goroutines and threads of a dump are not the failure (as in the fingerprint).
  const failing = trace.exceptions.filter((e, i) => i === 0 || (e.relation !== 'goroutine' && e.relation !== 'thread'));
  for (const exception of failing) {
    const frames = exception.innermostFirst ? exception.frames : [...exception.frames].reverse();
    for (const frame of frames) if (frame.app) keys.push(frameKey(frame.function, frame.file));
  }
  return {
    fingerprint: trace.fingerprint,
    language: trace.language,
    exception: trace.exceptions[0]?.type ?? null,
    appFrames: [...new Set(keys)].slice(0, MAX_APP_FRAMES),
    firstSeen,
  };
}

/** The traces in a text (a note, a trace file). */
export function traceRecordsIn(text: string, firstSeen: string): TraceRecord[] {
  return findStackTraces(text).map((trace) => traceRecordOf(trace, firstSeen));
}

/** From a trace.analysed event, which names only the top application frame. */
export function traceRecordOfEvent(
  data: { fingerprint: string; language: string; exception?: string; topAppFrame?: { function: string; file: string | null } },
  firstSeen: string,
): TraceRecord {
  return {
    fingerprint: data.fingerprint,
    language: data.language,
    exception: data.exception ?? null,
    appFrames: data.topAppFrame ? [frameKey(data.topAppFrame.function, data.topAppFrame.file)] : [],
    firstSeen,
  };
}
