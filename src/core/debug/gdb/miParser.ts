// gdb/MI output records, one line each (GDB manual, "GDB/MI Output Syntax"): result records
// (`^`), async exec/status/notify records (`*`, `+`, `=`), stream records (`~` console, `@`
// target, `&` log) and the `(gdb)` prompt. See docs/architecture.md, "Debugging: gdb/MI and the
// watchdog".

/** A value: a c-string constant, a tuple `{a=…}` or a list `[…]`. */
export type MiValue = string | MiTuple | MiValue[];
export interface MiTuple {
  [name: string]: MiValue;
}

export type MiRecord =
  | { kind: 'result'; token?: number; resultClass: string; results: MiTuple }
  | { kind: 'exec' | 'status' | 'notify'; token?: number; asyncClass: string; results: MiTuple }
  | { kind: 'console' | 'target' | 'log'; text: string }
  | { kind: 'prompt' }
  /** A line that is not MI (gdb or a library printing around the interpreter). */
  | { kind: 'other'; text: string };

export class MiSyntaxError extends Error {
  override readonly name = 'MiSyntaxError';
}

const asyncKinds = { '*': 'exec', '+': 'status', '=': 'notify' } as const;
const streamKinds = { '~': 'console', '@': 'target', '&': 'log' } as const;

/** Parses one line of gdb's MI output (without its line ending). */
export function parseMiLine(line: string): MiRecord {
  if (line.endsWith('\r')) line = line.slice(0, -1);
  if (/^\(gdb\) *$/.test(line)) return { kind: 'prompt' };
  const tokenMatch = /^\d+/.exec(line);
  const token = tokenMatch ? Number(tokenMatch[0]) : undefined;
  const rest = tokenMatch ? line.slice(tokenMatch[0].length) : line;
  const marker = rest[0];
  if (token === undefined && marker !== undefined && marker in streamKinds) {
    const cursor = new Cursor(rest, 1);
    const text = cursor.cString();
    if (!cursor.atEnd()) throw new MiSyntaxError(`text after a stream record: ${line}`);
    return { kind: streamKinds[marker as keyof typeof streamKinds], text };
  }
  if (marker === '^' || (marker !== undefined && marker in asyncKinds)) {
    const cursor = new Cursor(rest, 1);
    const recordClass = cursor.word();
    const results: MiTuple = {};
    for (let index = 0; !cursor.atEnd(); index++) {
      cursor.expect(',');
      // gdb's +download records carry a bare tuple: +download,{section=".text",…}.
      if (cursor.atValue()) results[String(index)] = cursor.value();
      else cursor.result(results);
    }
    if (marker === '^') return { kind: 'result', token, resultClass: recordClass, results };
    return { kind: asyncKinds[marker as keyof typeof asyncKinds], token, asyncClass: recordClass, results };
  }
  return { kind: 'other', text: line };
}

/** Reads the grammar from a position in one line. */
class Cursor {
  constructor(
    private readonly text: string,
    private pos: number,
  ) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** The next thing is a value, not a name. */
  atValue(): boolean {
    return '"{['.includes(this.text[this.pos] ?? 'x');
  }

  expect(char: string): void {
    if (this.text[this.pos] !== char) this.fail(`expected '${char}'`);
    this.pos++;
  }

  /** A record class or a result's name: up to `=`, `,` or the end. */
  word(): string {
    const start = this.pos;
    while (this.pos < this.text.length && !'=,{}[]"'.includes(this.text[this.pos]!)) this.pos++;
    if (this.pos === start) this.fail('expected a name');
    return this.text.slice(start, this.pos);
  }

  /** `name=value`, added to `into`; a name seen twice collects its values in a list. */
  result(into: MiTuple): void {
    const name = this.word();
    this.expect('=');
    const value = this.value();
    if (!(name in into)) into[name] = value;
    else {
      // gdb repeats names in some tuples (e.g. mi1's breakpoint locations); keep every value.
      const existing = into[name]!;
      into[name] = Array.isArray(existing) && repeated.has(existing) ? [...existing, value] : [existing, value];
      repeated.add(into[name] as MiValue[]);
    }
  }

  value(): MiValue {
    const char = this.text[this.pos];
    if (char === '"') return this.cString();
    if (char === '{') return this.tuple();
    if (char === '[') return this.list();
    return this.fail('expected a value');
  }

  private tuple(): MiTuple {
    this.expect('{');
    const tuple: MiTuple = {};
    if (this.text[this.pos] === '}') {
      this.pos++;
      return tuple;
    }
    // gdb writes breakpoint scripts as a tuple of bare strings: script={"silent","continue"}.
    if (this.text[this.pos] === '"') {
      const values = this.values('}');
      values.forEach((value, index) => (tuple[String(index)] = value));
      return tuple;
    }
    for (;;) {
      this.result(tuple);
      if (this.text[this.pos] === '}') break;
      this.expect(',');
    }
    this.pos++;
    return tuple;
  }

  /** `[]`, `[value,…]` or `[name=value,…]` (the names are dropped: they repeat, e.g. frame=). */
  private list(): MiValue[] {
    this.expect('[');
    if (this.text[this.pos] === ']') {
      this.pos++;
      return [];
    }
    const char = this.text[this.pos];
    if (char === '"' || char === '{' || char === '[') return this.values(']');
    const list: MiValue[] = [];
    for (;;) {
      this.word();
      this.expect('=');
      list.push(this.value());
      if (this.text[this.pos] === ']') break;
      this.expect(',');
    }
    this.pos++;
    return list;
  }

  private values(close: string): MiValue[] {
    const list: MiValue[] = [];
    for (;;) {
      list.push(this.value());
      if (this.text[this.pos] === close) break;
      this.expect(',');
    }
    this.pos++;
    return list;
  }

  /** A C string: `\n`, `\t`, `\"`, `\\`, … and octal bytes (`\303\251`), decoded as UTF-8. */
  cString(): string {
    this.expect('"');
    const bytes: number[] = [];
    for (;;) {
      if (this.pos >= this.text.length) this.fail('unterminated string');
      const char = this.text[this.pos++]!;
      if (char === '"') break;
      if (char !== '\\') {
        const code = char.charCodeAt(0);
        if (code < 0x80) bytes.push(code);
        else bytes.push(...Buffer.from(char, 'utf8'));
        continue;
      }
      const escaped = this.text[this.pos++];
      if (escaped === undefined) this.fail('unterminated escape');
      const octal = /^[0-7]{1,3}/.exec(this.text.slice(this.pos - 1, this.pos + 2));
      if (octal) {
        bytes.push(parseInt(octal[0], 8) & 0xff);
        this.pos += octal[0].length - 1;
      } else bytes.push(simpleEscapes[escaped]?.charCodeAt(0) ?? escaped.charCodeAt(0));
    }
    return Buffer.from(bytes).toString('utf8');
  }

  private fail(what: string): never {
    throw new MiSyntaxError(`${what} at column ${this.pos} of: ${this.text}`);
  }
}

/** Lists made from a repeated name (so a third value is appended, not nested). */
const repeated = new WeakSet<MiValue[]>();

const simpleEscapes: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  e: '\x1b',
};

/** Reads a field that should be a string; undefined when missing or not a string. */
export function miString(value: MiValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Reads a field that should be a tuple. */
export function miTuple(value: MiValue | undefined): MiTuple | undefined {
  return value !== undefined && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

/** Reads a field that should be a list (a single tuple counts as a list of one). */
export function miList(value: MiValue | undefined): MiValue[] {
  if (Array.isArray(value)) return value;
  return value === undefined ? [] : [value];
}

/**
 * One word of an MI command: bare when it is safe, otherwise a quoted C string. gdb reads a word
 * that starts with '-' as an option even when quoted, so only options and option values (which
 * follow their flag) may start with one.
 */
export function miQuote(word: string): string {
  if (/^[A-Za-z0-9_\-.:/@$*+]+$/.test(word)) return word;
  const escaped = word.replace(/[\\"\n\r\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!);
  return `"${escaped}"`;
}
