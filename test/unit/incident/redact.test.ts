import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REDACTED, redactText, redactValue } from '../../../src/core/incident/redact';

interface Corpus {
  secrets: { text: string; secret: string; expected?: string }[];
  clean: string[];
}

const corpus = JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/incident/redaction-corpus.json'), 'utf8')) as Corpus;

describe('redaction', () => {
  for (const { text, secret, expected } of corpus.secrets) {
    it(`hides the secret in ${JSON.stringify(text.slice(0, 60))}`, () => {
      const out = redactText(text);
      assert.ok(!out.includes(secret), `still has ${secret}: ${out}`);
      assert.ok(out.includes(REDACTED));
      if (expected !== undefined) assert.equal(out, expected);
      assert.equal(redactText(out), out, 'redacting twice changes nothing more');
    });
  }

  for (const text of corpus.clean) {
    it(`leaves ${JSON.stringify(text.slice(0, 60))} alone`, () => assert.equal(redactText(text), text));
  }

  it('leaves every real stack trace of the traces fixtures alone', () => {
    const dir = path.join(__dirname, '../../fixtures/traces');
    for (const file of readdirSync(dir)) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      assert.equal(redactText(text), text, file);
    }
  });

  it('redacts every string of a JSON value, and whole values under secret keys', () => {
    const value = { command: 'mysql --password hunter2', env: { DB_PASSWORD: 'plain', apiKey: 'k-123', count: 3, path: '/x' }, list: ['token=abc123'] };
    assert.deepEqual(redactValue(value), {
      command: `mysql --password ${REDACTED}`,
      env: { DB_PASSWORD: REDACTED, apiKey: REDACTED, count: 3, path: '/x' },
      list: [`token=${REDACTED}`],
    });
  });
});
