// Live Share presence against a fake of the Live Share API: nobody without the API or outside a
// session; in a session this window's user first, then the host, then guests by name; names are
// text (control characters go); joins and leaves ask the panel to refresh; dispose unsubscribes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guideState } from '../../../src/views/incident/guideState';
import { Presence, type LiveShareApiLike } from '../../../src/views/incident/presence';

function fakeApi() {
  const listeners: (() => void)[] = [];
  let unsubscribed = 0;
  const subscribe = (listener: () => void) => {
    listeners.push(listener);
    return { dispose: () => void unsubscribed++ };
  };
  const api: LiveShareApiLike & { session: NonNullable<LiveShareApiLike['session']>; peers: NonNullable<LiveShareApiLike['peers']> } = {
    session: { id: null, role: 'None', user: { displayName: 'Bo Guest' } },
    peers: [],
    onDidChangeSession: subscribe,
    onDidChangePeers: subscribe,
  };
  return { api, fire: () => listeners.forEach((l) => l()), unsubscribed: () => unsubscribed };
}

test('no Live Share API, or no session: nobody is shown', () => {
  assert.deepEqual(new Presence(null, () => undefined).people(), []);
  const { api } = fakeApi();
  assert.deepEqual(new Presence(api, () => undefined).people(), []);
  assert.deepEqual(guideState({ incident: null, timeline: [], incidents: [], guest: false }).presence, []);
});

test('in a session: you first, then the host, then guests by name; changes refresh the panel', () => {
  const { api, fire, unsubscribed } = fakeApi();
  let refreshed = 0;
  const presence = new Presence(api, () => refreshed++);
  api.session = { id: 'session-1', role: 'Guest', user: { displayName: 'Bo Guest' } };
  api.peers = [
    { role: 'Guest', user: { displayName: 'Zoe\u001b]0;x\u0007 Guest' } },
    { role: 'Host', user: { displayName: 'Ana Host' } },
    { role: 'Guest', user: { userName: 'cy' } },
    { role: 2, user: null },
  ];
  fire();
  assert.equal(refreshed, 2, 'a session change and a peers change each refresh');
  assert.deepEqual(presence.people(), [
    { name: 'Bo Guest', role: 'guest', you: true },
    { name: 'Ana Host', role: 'host', you: false },
    { name: 'cy', role: 'guest', you: false },
    { name: 'someone', role: 'guest', you: false },
    { name: 'Zoe ]0;x Guest', role: 'guest', you: false },
  ]);
  const people = presence.people();
  assert.deepEqual(guideState({ incident: null, timeline: [], incidents: [], guest: true, presence: people }).presence, people);
  presence.dispose();
  assert.equal(unsubscribed(), 2);
});
