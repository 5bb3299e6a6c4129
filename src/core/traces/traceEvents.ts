// What the traces features tell the incident timeline: a trace analysed (trace.analysed) and a
// frame opened (frame.opened). See docs/architecture.md, "Events".
import type { EventFrame, EventPublisher, IncidentEventMap } from '../events';
import type { StackFrame, StackTrace } from './types';

export const TRACES_SOURCE = 'traces';

export function eventFrame(frame: Pick<StackFrame, 'function' | 'file' | 'line'>): EventFrame {
  return { function: frame.function ?? '?', file: frame.file, line: frame.line };
}

/** The innermost application frame of the first exception that has one (null when none has). */
export function topAppFrame(trace: StackTrace): StackFrame | null {
  for (const exception of trace.exceptions) {
    const frames = exception.innermostFirst ? exception.frames : [...exception.frames].reverse();
    const app = frames.find((frame) => frame.app);
    if (app) return app;
  }
  return null;
}

export interface AnalysedContext {
  /** The host that printed the trace, when known. */
  host?: string;
  /** Where the text came from: "stdin", "the clipboard", "web-1:/var/log/app.log". */
  from?: string;
}

/** Where a frame was shown: the workspace file and line, and the commit when shown at the host's deployed revision. */
export interface OpenedAt {
  file: string;
  line: number;
  revision?: string;
}

/** frame.opened: the remote location and where it was shown, or (opened null) why it was not. */
export function publishFrameOpened(
  events: EventPublisher,
  frame: Pick<StackFrame, 'function' | 'file' | 'line'> & { host?: string },
  opened: OpenedAt | null,
  reason: string,
): void {
  const payload: IncidentEventMap['frame.opened'] = opened
    ? { remote: eventFrame(frame), local: opened }
    : { remote: eventFrame(frame), local: null, reason };
  if (frame.host !== undefined) payload.host = frame.host;
  events.publish('frame.opened', TRACES_SOURCE, payload);
}

export function publishTraceAnalysed(events: EventPublisher, trace: StackTrace, context: AnalysedContext = {}): void {
  const payload: IncidentEventMap['trace.analysed'] = { fingerprint: trace.fingerprint, language: trace.language };
  const type = trace.exceptions.find((exception) => exception.type !== null)?.type;
  if (type) payload.exception = type;
  const top = topAppFrame(trace);
  if (top) payload.topAppFrame = eventFrame(top);
  if (context.host !== undefined) payload.host = context.host;
  if (context.from !== undefined) payload.from = context.from;
  events.publish('trace.analysed', TRACES_SOURCE, payload);
}
