// Step 3's "look for similar problems": past incidents in incidents/ found by trace fingerprint
// (exact), then by the application frames their traces share, then by words (docs/architecture.md,
// "Incidents: past incidents").
import * as path from 'node:path';
import type { IncidentStore } from './store';
import type { Incident, TraceRecord } from './types';

/** Below this share of application frames in common, two traces are not called similar. */
export const MIN_FRAME_SIMILARITY = 0.3;

export interface SearchQuery {
  traces?: TraceRecord[];
  text?: string;
  /** An incident to leave out (the one being worked on). */
  exclude?: string;
}

export interface SearchHit {
  incident: Incident;
  /** Higher is closer: an exact fingerprint outranks any frame similarity, which outranks words. */
  score: number;
  /** Why it matched, for people: "same trace 4f2a…", "shares 2 of 3 app frames", "words: regex, timeout". */
  reasons: string[];
}

/** Jaccard similarity of two traces' application frames. */
export function frameSimilarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const setB = new Set(b);
  const shared = new Set(a.filter((key) => setB.has(key))).size;
  return shared / new Set([...a, ...b]).size;
}

const STOP_WORDS = new Set([
  'the',
  'and',
  'for',
  'with',
  'from',
  'was',
  'are',
  'not',
  'but',
  'this',
  'that',
  'into',
  'when',
  'all',
  'on',
  'in',
  'of',
  'to',
  'is',
  'at',
  'an',
  'by',
  'it',
]);

function wordsOf(text: string): string[] {
  return [...new Set(text.toLowerCase().match(/[\p{L}\p{N}_]{2,}/gu) ?? [])].filter((word) => !STOP_WORDS.has(word));
}

/** The incidents that match, best first; ties go to the newer incident. */
export async function searchIncidents(store: IncidentStore, query: SearchQuery): Promise<SearchHit[]> {
  const terms = query.text ? wordsOf(query.text) : [];
  const hits: SearchHit[] = [];
  for (const id of await store.ids()) {
    if (id === query.exclude) continue;
    let incident: Incident;
    try {
      incident = await store.read(id);
    } catch {
      continue; // a broken incident.json is reported where incidents are listed, not here
    }
    const reasons: string[] = [];
    let score = 0;
    const traces = query.traces ?? [];
    const exact = traces.find((trace) => incident.traces.some((past) => past.fingerprint === trace.fingerprint));
    if (exact) {
      score += 100;
      reasons.push(`same trace ${exact.fingerprint}`);
    }
    const similar = bestFrameMatch(traces, incident.traces);
    if (similar && similar.similarity >= MIN_FRAME_SIMILARITY && !(exact && similar.similarity === 1)) {
      score += 10 * similar.similarity;
      reasons.push(
        `shares ${similar.shared.length} app frames (${similar.shared.slice(0, 3).join(', ')}${similar.shared.length > 3 ? ', …' : ''})`,
      );
    }
    if (terms.length > 0) {
      const { title, body } = await textOf(store, incident);
      const found = terms.filter((term) => title.has(term) || body.has(term));
      const weight = terms.reduce((sum, term) => sum + (title.has(term) ? 2 : body.has(term) ? 1 : 0), 0);
      if (found.length > 0) {
        score += weight / (2 * terms.length);
        reasons.push(`words: ${found.join(', ')}`);
      }
    }
    if (score > 0) hits.push({ incident, score, reasons });
  }
  // ids() lists newest first and sort is stable, so equal scores keep the newer incident first.
  return hits.sort((a, b) => b.score - a.score);
}

function bestFrameMatch(query: readonly TraceRecord[], past: readonly TraceRecord[]): { similarity: number; shared: string[] } | undefined {
  let best: { similarity: number; shared: string[] } | undefined;
  for (const a of query) {
    for (const b of past) {
      const similarity = frameSimilarity(a.appFrames, b.appFrames);
      if (!best || similarity > best.similarity) best = { similarity, shared: a.appFrames.filter((key) => b.appFrames.includes(key)) };
    }
  }
  return best;
}

/** The words of an incident: its title apart (it counts double), then everything people wrote. */
async function textOf(store: IncidentStore, incident: Incident): Promise<{ title: Set<string>; body: Set<string> }> {
  const parts = [
    ...incident.hosts,
    ...incident.actionItems.map((item) => item.what),
    ...incident.traces.flatMap((trace) => [trace.exception ?? '', ...trace.appFrames]),
  ];
  for (const entry of await store.timeline(incident.id)) if (entry.type === 'note') parts.push(entry.text);
  const writeUp = await store.files.readText(path.join(store.folder(incident.id), 'write-up.md')).catch(() => '');
  return { title: new Set(wordsOf(incident.title)), body: new Set(wordsOf([...parts, writeUp].join('\n'))) };
}
