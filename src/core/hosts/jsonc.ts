// A JSON-with-comments reader (the dialect of VS Code's settings files: // and /* */ comments,
// trailing commas) that keeps the line of every value, so a bad hosts.json entry is reported
// at its line.

export type JsonNode = { line: number } & (
  | { kind: 'object'; members: { key: string; line: number; value: JsonNode }[] }
  | { kind: 'array'; items: JsonNode[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
);

export class JsoncSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'JsoncSyntaxError';
  }
}

/** Deeper nesting than any hosts file needs; the reader recurses, so the depth is capped. */
const MAX_JSONC_DEPTH = 64;

export function parseJsonc(text: string): JsonNode {
  let offset = 0;
  let line = 1;
  let depth = 0;

  const fail = (message: string): never => {
    throw new JsoncSyntaxError(message, line);
  };
  const describeNext = (): string => (offset < text.length ? `"${text[offset]}"` : 'end of file');

  const skipBlank = (): void => {
    while (offset < text.length) {
      const char = text[offset];
      if (char === '\n') {
        line++;
        offset++;
      } else if (char === ' ' || char === '\t' || char === '\r' || char === '\ufeff') {
        offset++;
      } else if (text.startsWith('//', offset)) {
        while (offset < text.length && text[offset] !== '\n') offset++;
      } else if (text.startsWith('/*', offset)) {
        const end = text.indexOf('*/', offset + 2);
        if (end < 0) fail('unterminated /* comment');
        for (let i = offset; i < end; i++) if (text[i] === '\n') line++;
        offset = end + 2;
      } else {
        return;
      }
    }
  };

  const readString = (): string => {
    const start = offset;
    offset++; // opening quote
    let value = '';
    while (offset < text.length && text[offset] !== '"') {
      const char = text[offset];
      if (char === '\n') fail('unterminated string');
      if (char === '\\') {
        const escape = text[offset + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (escape in simple) {
          value += simple[escape];
          offset += 2;
        } else if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(offset + 2, offset + 6))) {
          value += String.fromCharCode(parseInt(text.slice(offset + 2, offset + 6), 16));
          offset += 6;
        } else {
          fail(`bad escape \\${escape ?? ''} in string`);
        }
      } else {
        value += char;
        offset++;
      }
    }
    if (offset >= text.length) {
      offset = start;
      fail('unterminated string');
    }
    offset++; // closing quote
    return value;
  };

  const readValue = (): JsonNode => {
    skipBlank();
    const char = text[offset];
    if ((char === '{' || char === '[') && depth >= MAX_JSONC_DEPTH) fail(`nested deeper than ${MAX_JSONC_DEPTH} levels`);
    depth++;
    try {
      return readValueAt();
    } finally {
      depth--;
    }
  };

  const readValueAt = (): JsonNode => {
    const at = line;
    const char = text[offset];
    if (char === '{') {
      offset++;
      const members: { key: string; line: number; value: JsonNode }[] = [];
      for (;;) {
        skipBlank();
        if (text[offset] === '}') break;
        if (text[offset] !== '"') fail(`expected a property name in quotes or "}", found ${describeNext()}`);
        const keyLine = line;
        const key = readString();
        skipBlank();
        if (text[offset] !== ':') fail(`expected ":" after "${key}", found ${describeNext()}`);
        offset++;
        members.push({ key, line: keyLine, value: readValue() });
        skipBlank();
        if (text[offset] === ',') offset++;
        else if (text[offset] !== '}') fail(`expected "," or "}" after the value of "${key}", found ${describeNext()}`);
      }
      offset++;
      return { kind: 'object', members, line: at };
    }
    if (char === '[') {
      offset++;
      const items: JsonNode[] = [];
      for (;;) {
        skipBlank();
        if (text[offset] === ']') break;
        items.push(readValue());
        skipBlank();
        if (text[offset] === ',') offset++;
        else if (text[offset] !== ']') fail(`expected "," or "]" in a list, found ${describeNext()}`);
      }
      offset++;
      return { kind: 'array', items, line: at };
    }
    if (char === '"') return { kind: 'string', value: readString(), line: at };
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(offset, offset + 64))?.[0];
    if (!literal) return fail(`expected a value, found ${describeNext()}`);
    offset += literal.length;
    if (literal === 'null') return { kind: 'null', line: at };
    if (literal === 'true' || literal === 'false') return { kind: 'boolean', value: literal === 'true', line: at };
    return { kind: 'number', value: Number(literal), line: at };
  };

  const root = readValue();
  skipBlank();
  if (offset < text.length) fail(`unexpected ${describeNext()} after the end of the document`);
  return root;
}
