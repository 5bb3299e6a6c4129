// A small JSON Schema (draft-07) checker for the keywords the incident schemas use: enough to hold
// real files to media/*.schema.json without a validator dependency. An unknown keyword fails loudly,
// so a schema cannot silently use more than this checks.
type Schema = boolean | { [keyword: string]: unknown };

const KNOWN = new Set([
  '$schema',
  '$id',
  'title',
  'description',
  'examples',
  'definitions',
  '$ref',
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'oneOf',
  'anyOf',
  'pattern',
  'minLength',
  'format',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Problems found, each as "path: what"; empty when the value is valid. */
export function validate(root: Schema, value: unknown): string[] {
  const errors: string[] = [];
  const resolve = (ref: string): Schema => {
    const match = /^#\/definitions\/([\w-]+)$/.exec(ref);
    const found = match && typeof root === 'object' ? (root.definitions as Record<string, Schema> | undefined)?.[match[1]] : undefined;
    if (found === undefined) throw new Error(`cannot resolve ${ref}`);
    return found;
  };
  const check = (schema: Schema, v: unknown, at: string, out: string[]): void => {
    if (schema === true) return;
    if (schema === false) return void out.push(`${at}: not allowed`);
    for (const keyword of Object.keys(schema)) if (!KNOWN.has(keyword)) throw new Error(`the checker does not know "${keyword}"`);
    if (typeof schema.$ref === 'string') check(resolve(schema.$ref), v, at, out);
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
      const actual = typeOf(v);
      if (!types.some((t) => t === actual || (t === 'number' && actual === 'integer')))
        out.push(`${at}: is ${actual}, not ${types.join(' or ')}`);
    }
    if (Array.isArray(schema.enum) && !schema.enum.includes(v))
      out.push(`${at}: ${JSON.stringify(v)} is not one of ${JSON.stringify(schema.enum)}`);
    if ('const' in schema && v !== schema.const) out.push(`${at}: is not ${JSON.stringify(schema.const)}`);
    if (typeof v === 'string') {
      if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(v))
        out.push(`${at}: "${v}" does not match ${schema.pattern}`);
      if (typeof schema.minLength === 'number' && [...v].length < schema.minLength) out.push(`${at}: shorter than ${schema.minLength}`);
      if (schema.format === 'date-time' && Number.isNaN(Date.parse(v))) out.push(`${at}: "${v}" is not a date-time`);
    }
    if (typeOf(v) === 'object') {
      const object = v as Record<string, unknown>;
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      for (const key of (schema.required ?? []) as string[]) if (!(key in object)) out.push(`${at}: missing ${key}`);
      for (const [key, child] of Object.entries(object)) {
        if (key in properties) check(properties[key], child, `${at}.${key}`, out);
        else if (schema.additionalProperties !== undefined) check(schema.additionalProperties as Schema, child, `${at}.${key}`, out);
      }
    }
    if (Array.isArray(v) && schema.items !== undefined) v.forEach((item, i) => check(schema.items as Schema, item, `${at}[${i}]`, out));
    for (const [keyword, needed] of [
      ['oneOf', 1],
      ['anyOf', 0],
    ] as const) {
      const branches = schema[keyword] as Schema[] | undefined;
      if (!branches) continue;
      const passing = branches.filter((branch) => {
        const branchErrors: string[] = [];
        check(branch, v, at, branchErrors);
        return branchErrors.length === 0;
      }).length;
      if (needed === 1 ? passing !== 1 : passing === 0) out.push(`${at}: matches ${passing} of the ${keyword} branches`);
    }
  };
  check(root, value, '$', errors);
  return errors;
}
