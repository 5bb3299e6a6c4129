// The shapes the trace detector produces. Offsets are UTF-16 code-unit offsets into the text the
// detector was given, so a view can turn a span into an editor range.

export type TraceLanguage = 'javascript' | 'python' | 'java' | 'go' | 'dotnet' | 'ruby' | 'php' | 'native';

/** Half-open range [start, end) of offsets in the scanned input. */
export interface TextSpan {
  start: number;
  end: number;
}

export interface StackFrame {
  /** As printed, without arguments (Go, .NET) or module prefixes (Java); null when the format has none. */
  function: string | null;
  /** The path as printed (file:// URLs decoded); null for native/runtime frames without a file. */
  file: string | null;
  /** 1-based. */
  line: number | null;
  /** 1-based; null when the format prints no column. */
  column: number | null;
  /** Application code, as opposed to a library, the runtime or the standard library. */
  app: boolean;
  /** Where the frame's text is in the input (may cover several lines, e.g. Go and wrapped gdb frames). */
  span: TextSpan;
}

/**
 * How an exception relates to the entry printed before it in the same trace.
 * - cause: it caused the previous one (Java/Kotlin `Caused by:`, Node `[cause]:`)
 * - suppressed: suppressed while the previous one propagated (Java `Suppressed:`)
 * - inner: the previous one's inner exception (.NET `--->`)
 * - caused-by-previous: the previous one caused it (Python "direct cause", PHP `Next`)
 * - during-handling-of-previous: raised while handling the previous one (Python implicit chaining)
 * - goroutine / thread: another goroutine or thread of the same dump
 */
export type ExceptionRelation =
  'cause' | 'suppressed' | 'inner' | 'caused-by-previous' | 'during-handling-of-previous' | 'goroutine' | 'thread';

export interface TraceException {
  /** Exception class (`ValueError`, `java.io.IOException`, Go `panic`); null when the format names none. */
  type: string | null;
  message: string;
  /** null for the first entry of a trace. */
  relation: ExceptionRelation | null;
  /**
   * True when the first frame in text order is the innermost call (where it was thrown). False for
   * Python's "most recent call last" tracebacks.
   */
  innermostFirst: boolean;
  /** In text order; elided frames (`... 5 more`) are not frames. */
  frames: StackFrame[];
  span: TextSpan;
}

export interface StackTrace {
  language: TraceLanguage;
  /** In text order; chained, caused-by and inner exceptions are entries of their own. */
  exceptions: TraceException[];
  /** Groups duplicates: exception types and top application frames, without lines, addresses or ids. */
  fingerprint: string;
  span: TextSpan;
}
