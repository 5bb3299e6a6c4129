// Secrets are taken out of text before anything reaches the incident files or the write-up
// (docs/architecture.md, "Incidents: redaction"). Each rule keeps what makes the text readable (the
// key, the header name, the user of a connection string) and replaces only the secret. Rules are
// anchored on shapes that secrets have and ordinary text lacks, so a git SHA, "token count" or
// "password_reset_url" survive; the tests hold a corpus of both.

export const REDACTED = '[REDACTED]';

/** A key whose value is a secret: it ends with one of these words (so `password_reset_url` is not one). */
const SECRET_KEY =
  /(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key|auth[_-]?key|credentials?|account[_-]?key|shared[_-]?access[_-]?key|sessionid|session[_-]?id|cookie)$/i;

function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Values that are no secret even under a secret key: nothing, placeholders, already redacted. */
function isPlaceholder(value: string): boolean {
  return /^(?:|null|none|nil|undefined|true|false|\*+|x+|<.*|\$\{[^}]*\}|\$[A-Z_][A-Z0-9_]*|\[REDACTED\])$/i.test(value);
}

type Rule = (text: string) => string;

const rules: Rule[] = [
  // PEM private keys, whole block; an unterminated one (a cut log line) to the end of the text.
  (text) =>
    text.replace(
      /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END \1PRIVATE KEY\2-----|$)/g,
      (_m, kind: string, block = '') => `-----BEGIN ${kind}PRIVATE KEY${block}----- ${REDACTED} -----END ${kind}PRIVATE KEY${block}-----`,
    ),
  // JWTs: base64url JSON header and payload (both start with `{"`, "eyJ"), then a signature.
  (text) => text.replace(/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, REDACTED),
  // Authorization headers: keep the scheme, hide the credentials.
  (text) =>
    text.replace(
      /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(bearer|basic|digest|token|negotiate|apikey)\s+)?([^\s"',;]+(?:[ \t]*,[ \t]*[a-z]+=[^\s,]+)*)/gi,
      (m, head: string, scheme: string | undefined, value: string) =>
        isPlaceholder(value) ? m : `${head}${scheme ? `${scheme} ` : ''}${REDACTED}`,
    ),
  // A bearer token anywhere (curl -H, logs that print the header's value alone).
  (text) =>
    text.replace(/\b(bearer\s+)([A-Za-z0-9\-._~+/]{8,}=*)/gi, (m, head: string, value: string) =>
      value === REDACTED ? m : `${head}${REDACTED}`,
    ),
  // `Basic <base64>` only when it decodes to user:password, so "Basic authentication" survives.
  (text) =>
    text.replace(/\b(basic\s+)([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/gi, (m, head: string, value: string) =>
      isBasicCredentials(value) ? `${head}${REDACTED}` : m,
    ),
  // Cloud keys with a recognisable shape: AWS access key ids, Google API keys and OAuth tokens,
  // GitHub, Slack and Stripe tokens.
  (text) => text.replace(/\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b/g, REDACTED),
  (text) => text.replace(/\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g, REDACTED),
  (text) => text.replace(/\bya29\.[0-9A-Za-z_-]{20,}/g, REDACTED),
  (text) => text.replace(/\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/g, REDACTED),
  (text) => text.replace(/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, REDACTED),
  (text) => text.replace(/\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}\b/g, REDACTED),
  // Azure SAS signatures in URLs and connection strings.
  (text) => text.replace(/([?&;]sig=)([^&\s"']+)/gi, (m, head: string, value: string) => (value === REDACTED ? m : `${head}${REDACTED}`)),
  // Credentials in URLs and connection strings: scheme://user:password@host keeps the user.
  (text) =>
    text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"'<>]*):([^\s@/"'<>]+)@/gi, (m, head: string, value: string) =>
      value === REDACTED ? m : `${head}:${REDACTED}@`,
    ),
  // JSON: "password": "…" (and any string value under a secret key).
  (text) =>
    text.replace(/("([^"\\]{1,80})"\s*:\s*")((?:[^"\\]|\\.)*)"/g, (m, head: string, key: string, value: string) =>
      isSecretKey(key) && !isPlaceholder(value) ? `${head}${REDACTED}"` : m,
    ),
  redactKeyValues,
  // Command-line flags: --password hunter2, --token=… is handled above.
  (text) =>
    text.replace(
      /(\s--?[A-Za-z0-9-]*?)(password|passwd|token|secret|api-key|access-key)(\s+)([^\s-][^\s]*)/gi,
      (m, head: string, key: string, space: string, value: string) => (isPlaceholder(value) ? m : `${head}${key}${space}${REDACTED}`),
    ),
];

const KEY_AND_SEPARATOR = /\b([A-Za-z_][A-Za-z0-9_.-]*)([ \t]*[:=][ \t]*)/g;
const QUOTED_VALUE = /(["'])([^"'\n]*)\1/y;
const BARE_VALUE = /[^\s"'&;,]+/y;

/**
 * key=value, key="two words" and `Key: value` (env files, query strings, headers, YAML, logfmt).
 * Only a secret key consumes its value, so a secret inside another key's value (a URL's query)
 * is still found.
 */
function redactKeyValues(text: string): string {
  let out = '';
  let copied = 0;
  const keys = new RegExp(KEY_AND_SEPARATOR.source, 'g');
  for (let match = keys.exec(text); match; match = keys.exec(text)) {
    if (!isSecretKey(match[1])) continue;
    const valueStart = match.index + match[0].length;
    QUOTED_VALUE.lastIndex = valueStart;
    BARE_VALUE.lastIndex = valueStart;
    const quoted = QUOTED_VALUE.exec(text);
    const bare = quoted ? null : BARE_VALUE.exec(text);
    const value = quoted ? quoted[2] : bare?.[0];
    if (value === undefined || isPlaceholder(value) || (!quoted && value.startsWith('//'))) continue;
    const quote = quoted ? quoted[1] : '';
    out += text.slice(copied, valueStart) + quote + REDACTED + quote;
    copied = valueStart + (quoted ? quoted[0].length : value.length);
    keys.lastIndex = copied;
  }
  return out + text.slice(copied);
}

function isBasicCredentials(value: string): boolean {
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  return /^[\x20-\x7e]+:[\x20-\x7e]*$/.test(decoded) && decoded.indexOf(':') > 0;
}

/** The text with every secret found replaced by [REDACTED]. Redacting twice changes nothing more. */
export function redactText(text: string): string {
  let out = text;
  for (const rule of rules) out = rule(out);
  return out;
}

/** A JSON value with every string redacted, and every string under a secret key replaced whole. */
export function redactValue<T>(value: T): T {
  return redactAny(value) as T;
}

function redactAny(value: unknown, key?: string): unknown {
  if (typeof value === 'string') return key !== undefined && isSecretKey(key) && !isPlaceholder(value) ? REDACTED : redactText(value);
  if (Array.isArray(value)) return value.map((item) => redactAny(item));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactAny(v, k)]));
  }
  return value;
}
