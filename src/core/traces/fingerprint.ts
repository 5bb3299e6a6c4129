// A trace's fingerprint groups the same failure across deploys and hosts: exception types and the
// innermost application frames (function and file name), with line numbers, addresses, ids and
// release directories left out.
import { baseName } from './syntax';
import type { StackFrame, TraceException, TraceLanguage } from './types';

const FRAMES_PER_EXCEPTION = 3;

export function traceFingerprint(language: TraceLanguage, exceptions: TraceException[]): string {
  return hash64(fingerprintSignature(language, exceptions));
}

/** 64-bit FNV-1a as two 32-bit halves: stable, cheap, and plenty for grouping (not for security). */
function hash64(text: string): string {
  let high = 0xcbf29ce4;
  let low = 0x84222325;
  for (let i = 0; i < text.length; i++) {
    low ^= text.charCodeAt(i);
    // multiply by the FNV prime 0x100000001b3, keeping 64 bits across the two halves
    const lowProduct = low * 0x1b3;
    const carry = Math.floor(lowProduct / 0x100000000);
    high = (Math.imul(high, 0x1b3) + Math.imul(low, 0x100) + carry) >>> 0;
    low = lowProduct >>> 0;
  }
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}

/** The readable text the fingerprint hashes; exported so tests and similarity search can see it. */
export function fingerprintSignature(language: TraceLanguage, exceptions: TraceException[]): string {
  const parts: string[] = [language];
  // Other goroutines and threads of a dump vary from one dump to the next; only the failing one counts.
  const failing = exceptions.filter((e, i) => i === 0 || (e.relation !== 'goroutine' && e.relation !== 'thread'));
  for (const exception of failing) {
    let part = normalizeIds(exception.type ?? '');
    for (const frame of chosenFrames(exception)) part += ' > ' + frameKey(frame);
    parts.push(part);
  }
  return parts.join(' | ');
}

/** The innermost FRAMES_PER_EXCEPTION application frames, or the innermost frames when none is the application's. */
function chosenFrames(exception: TraceException): StackFrame[] {
  const { frames, innermostFirst } = exception;
  const innermost = (n: number) => frames[innermostFirst ? n : frames.length - 1 - n];
  const chosen: StackFrame[] = [];
  for (let n = 0; n < frames.length && chosen.length < FRAMES_PER_EXCEPTION; n++) if (innermost(n).app) chosen.push(innermost(n));
  if (chosen.length > 0) return chosen;
  for (let n = 0; n < Math.min(frames.length, FRAMES_PER_EXCEPTION); n++) chosen.push(innermost(n));
  return chosen;
}

function frameKey(frame: StackFrame): string {
  const file = frame.file ? baseName(frame.file) : '';
  return `${normalizeIds(frame.function ?? '')}@${file}`;
}

const HAS_DIGIT = /\d/;

/** Addresses, lambda/closure counters and long numbers change between builds and runs. */
function normalizeIds(text: string): string {
  if (!HAS_DIGIT.test(text)) return text; // each pattern below needs a digit
  return text
    .replace(/0x[0-9a-fA-F]+/g, '0x')
    .replace(/\$\d+/g, '$N')
    .replace(/\d{4,}/g, 'N');
}
