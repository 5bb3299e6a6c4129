// Log filters: a substring or a JavaScript regular expression. The client always applies the
// filter; when a grep pattern can be sure to pass every line the filter matches, the host applies
// it first, so a noisy log does not cross the network.

export interface LogFilter {
  pattern: string;
  /** A JavaScript regular expression rather than a plain substring. */
  regex?: boolean;
  ignoreCase?: boolean;
}

/** The filter as a RegExp (global, for highlighting). Throws SyntaxError for an invalid regex. */
export function compileFilter(filter: LogFilter): RegExp {
  const source = filter.regex ? filter.pattern : filter.pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(source, filter.ignoreCase ? 'gi' : 'g');
}

export function matchesFilter(re: RegExp, line: string): boolean {
  re.lastIndex = 0;
  return re.test(line);
}

export interface HostGrep {
  /** grep options, e.g. ['-F'] or ['-E', '-i']. */
  options: string[];
  pattern: string;
}

// JavaScript's \d and \w are ASCII, as grep's classes are in the C locale. \s is not here: in
// JavaScript it also matches non-ASCII spaces (U+00A0, U+3000…), whose bytes grep never takes.
const classEscapes: Record<string, string> = {
  d: '[0-9]',
  D: '[^0-9]',
  S: '[^[:space:]]',
  w: '[[:alnum:]_]',
  W: '[^[:alnum:]_]',
};

/**
 * The grep arguments that pass at least every line the filter matches (the client filters again),
 * or undefined when that cannot be guaranteed: look-arounds, back-references, word boundaries,
 * lazy quantifiers, non-ASCII with a regex or ignoreCase. The host's grep runs in the C locale,
 * where `.` and negated classes match one byte of a multibyte character: those are only passed
 * on under a quantifier without an upper bound (`*`, `+`, `{n,}`), where bytes and characters
 * agree.
 */
export function hostGrep(filter: LogFilter): HostGrep | undefined {
  if (filter.pattern === '' || filter.pattern.includes('\n')) return undefined;
  const ascii = /^[\x20-\x7e\t]*$/.test(filter.pattern);
  const ignoreCase = filter.ignoreCase ? ['-i'] : [];
  if (!filter.regex) {
    if (!ascii && filter.ignoreCase) return undefined;
    return { options: ['-F', ...ignoreCase], pattern: filter.pattern };
  }
  if (!ascii) return undefined;
  const ere = regexToEre(filter.pattern);
  return ere === undefined ? undefined : { options: ['-E', ...ignoreCase], pattern: ere };
}

/** Translates the part of JavaScript regex syntax that POSIX ERE shares with the same meaning. */
function regexToEre(source: string): string | undefined {
  let out = '';
  let i = 0;
  let afterAtom = false;
  /** Whether `*`, `+` or `{n,}` follows at `at`: the only quantifiers under which an atom matching a whole character may match its bytes instead. */
  const unboundedNext = (at: number) => /^(?:[*+]|\{\d+,\})(?!\?)/.test(source.slice(at));
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined) return undefined;
      if (classEscapes[next]) {
        if (classEscapes[next].startsWith('[^') && !unboundedNext(i + 2)) return undefined;
        out += classEscapes[next];
      } else if ('.[]()*+?{}|^$\\'.includes(next)) out += `\\${next}`;
      else if ('/-:,;!"#%&\'<>=@`~ '.includes(next)) out += next;
      else return undefined;
      i += 2;
      afterAtom = true;
    } else if (c === '[') {
      const close = source.indexOf(']', i + 2); // `[]...]` is not portable either way
      if (close < 0) return undefined;
      const body = source.slice(i + 1, close);
      if (body.includes('\\') || body.includes('[') || body === '' || body === '^') return undefined;
      if (body.startsWith('^') && !unboundedNext(close + 1)) return undefined;
      out += `[${body}]`;
      i = close + 1;
      afterAtom = true;
    } else if (c === '(') {
      if (source[i + 1] === '?') return undefined;
      out += c;
      i++;
      afterAtom = false;
    } else if (c === '*' || c === '+' || c === '?') {
      if (!afterAtom || source[i + 1] === '?') return undefined;
      out += c;
      i++;
      afterAtom = false;
    } else if (c === '{') {
      const m = /^\{(\d+)(,\d*)?\}/.exec(source.slice(i));
      if (!m || !afterAtom || source[i + m[0].length] === '?') return undefined;
      out += m[0];
      i += m[0].length;
      afterAtom = false;
    } else if (c === '}' || c === ']') {
      return undefined;
    } else {
      if (c === '.' && !unboundedNext(i + 1)) return undefined;
      out += c;
      i++;
      afterAtom = c !== '|' && c !== '^' && c !== '$';
    }
  }
  return out;
}
