// What a link or a Stack Traces row hands to "open this frame", and the plain helpers that build it
// from a terminal or log line. No `vscode` here: unit-tested in plain Node.

/** A frame to open: the path as printed on the host, and where it came from. */
export interface FrameTarget {
  file: string;
  line: number | null;
  column: number | null;
  /** Helps Java frames (`com.acme.Foo.bar`) map by package. */
  function: string | null;
  /** Library frames never ask which of several files they are. */
  app: boolean;
  /** The host that printed it: per-host rules and its deployed revision apply. */
  host?: string;
}

/**
 * The inventory host a terminal belongs to, from its name: the extension names terminals
 * `top · web-1`, `shell · web-1`, `log · web-1 · app.log`. A `·`-separated part naming a
 * host wins; otherwise the longest host name appearing as a whole word.
 */
export function hostOfTerminal(names: readonly (string | undefined)[], hosts: readonly string[]): string | undefined {
  const known = new Set(hosts);
  for (const name of names) {
    if (!name) continue;
    const part = name
      .split('·')
      .map((p) => p.trim())
      .find((p) => known.has(p));
    if (part) return part;
  }
  let best: string | undefined;
  for (const name of names) {
    if (!name) continue;
    for (const host of hosts) {
      if (host.length > (best?.length ?? 0) && containsWord(name, host)) best = host;
    }
  }
  return best;
}

function containsWord(text: string, word: string): boolean {
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    const before = text[at - 1];
    const after = text[at + word.length];
    if ((before === undefined || !isHostChar(before)) && (after === undefined || !isHostChar(after))) return true;
  }
  return false;
}

function isHostChar(c: string): boolean {
  return /[\w.-]/.test(c);
}

const MAX_FUNCTION_LENGTH = 300;

/**
 * The function printed right before a `(file:line)` location, as Java, Node and .NET print it
 * (`at com.acme.Foo.bar(Foo.java:42)`); null when the location is not in parentheses.
 */
export function functionBefore(line: string, linkStart: number): string | null {
  let end = linkStart;
  if (line[end - 1] !== '(') return null;
  end--;
  while (end > 0 && line[end - 1] === ' ') end--;
  let start = end;
  while (start > 0 && end - start < MAX_FUNCTION_LENGTH && /[\w$.<>/:-]/.test(line[start - 1])) start--;
  return start < end ? line.slice(start, end) : null;
}
