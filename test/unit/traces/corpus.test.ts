// Real traces from public issue trackers (test/fixtures/traces/corpus/<language>/NN.txt, the thread
// in NN.json's "source"), each checked against the frames a reader sees in it, written by hand in
// NN.json's "expected": exceptions and frames in text order, every location with a file and a line
// a frame, elided frames not, each chained, caused-by or inner exception an entry of its own.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { findStackTraces, type StackFrame, type StackTrace } from '../../../src/core/traces';

const CORPUS = path.join(__dirname, '../../fixtures/traces/corpus');

interface Expected {
  source: string;
  expected: { language: string; exceptions: { type: string | null; relation: string | null; frames: string[] }[] }[];
}

/** `function @ file:line[:column]`, as a reader writes a frame down. */
function show(frame: StackFrame): string {
  return `${frame.function} @ ${frame.file}:${frame.line}${frame.column === null ? '' : `:${frame.column}`}`;
}

function summary(traces: StackTrace[]): Expected['expected'] {
  return traces.map((trace) => ({
    language: trace.language,
    exceptions: trace.exceptions.map((e) => ({ type: e.type, relation: e.relation, frames: e.frames.map(show) })),
  }));
}

for (const language of readdirSync(CORPUS).sort()) {
  describe(`corpus: ${language}`, () => {
    const names = readdirSync(path.join(CORPUS, language))
      .filter((name) => name.endsWith('.txt'))
      .sort();
    for (const name of names) {
      const base = path.join(CORPUS, language, name.slice(0, -4));
      const meta = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as Expected;
      it(`${name} (${meta.source})`, () => {
        assert.match(meta.source, /^https:\/\/github\.com\/[^/]+\/[^/]+\/(?:issues|pull)\/\d+/);
        assert.deepEqual(summary(findStackTraces(readFileSync(`${base}.txt`, 'utf8'))), meta.expected);
      });
    }
  });
}
