// Runtime detection, engine choice and the sampling profile's outputs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { engineOrder } from '../../../src/core/snapshot/engines';
import { parseGoExecutables, parseRuntimeLibraries, parseExeLinks, parseStat } from '../../../src/core/snapshot/processes';
import { StackProfile } from '../../../src/core/snapshot/profile';
import { detectRuntime, runtimeLabel } from '../../../src/core/snapshot/runtime';
import type { SnapshotFrame } from '../../../src/core/snapshot/types';

describe('runtime detection', () => {
  test('CPython by its executable or its libpython, with the version', () => {
    assert.equal(runtimeLabel(detectRuntime({ exe: '/usr/bin/python3.11', goBuildId: false })), 'cpython 3.11');
    assert.equal(
      runtimeLabel(detectRuntime({ exe: '/srv/venv/bin/uwsgi', library: 'libpython3.12.so.1.0', goBuildId: false })),
      'cpython 3.12',
    );
    assert.equal(runtimeLabel(detectRuntime({ exe: '/usr/bin/node', goBuildId: false })), 'node');
    assert.equal(runtimeLabel(detectRuntime({ exe: '/usr/lib/jvm/java-17/bin/java', library: 'libjvm.so', goBuildId: false })), 'jvm');
    assert.equal(runtimeLabel(detectRuntime({ exe: '/usr/local/bin/terraform', goBuildId: true })), 'go');
    assert.equal(runtimeLabel(detectRuntime({ exe: '/usr/sbin/nginx (deleted)', goBuildId: false })), 'native');
    assert.equal(runtimeLabel(detectRuntime({ goBuildId: false })), 'unknown');
  });

  test("the listing script's sections", () => {
    assert.deepEqual(
      [...parseExeLinks('lrwxrwxrwx 1 root root 0 Dec  2 15:00 /proc/42/exe -> /usr/bin/python3.11\n')],
      [[42, '/usr/bin/python3.11']],
    );
    assert.deepEqual(
      [...parseRuntimeLibraries('/proc/7/maps:libpython3.12.so.1.0\n/proc/9/maps:libjvm.so\n')],
      [
        [7, 'libpython3.12.so.1.0'],
        [9, 'libjvm.so'],
      ],
    );
    assert.deepEqual(
      [...parseGoExecutables('==> /proc/1/exe <==\n==> /proc/5/exe <==\n_t35tDjnn8qK2ooGYXJc/tlKaGTGmc_MW1_ZTyXVQ\n==> /proc/6/exe <==\n')],
      [5],
    );
    const stat = parseStat('42 (my (odd) name) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 7 0 12345 1000 300 18446744073709551615');
    assert.deepEqual(stat, { comm: 'my (odd) name', ticks: 300, threads: 7, startTicks: 12345, rssPages: 300 });
  });
});

describe('engine choice', () => {
  const all = { pySpy: true, euStack: true, gdb: true };
  test('auto: CPython → python, then py-spy, then native tools; native and Go → eu-stack; other runtimes → gdb', () => {
    assert.deepEqual(engineOrder('auto', { runtime: { kind: 'cpython', version: '3.11' } }, all), ['python', 'py-spy', 'eu-stack', 'gdb']);
    assert.deepEqual(engineOrder('auto', { runtime: { kind: 'cpython', version: '3.11' } }, { pySpy: false, euStack: true, gdb: false }), [
      'python',
      'eu-stack',
    ]);
    assert.deepEqual(engineOrder('auto', { runtime: { kind: 'native' } }, all), ['eu-stack', 'gdb']);
    assert.deepEqual(engineOrder('auto', { runtime: { kind: 'go' } }, { pySpy: false, euStack: false, gdb: true }), ['gdb']);
    assert.deepEqual(engineOrder('auto', { runtime: { kind: 'node' } }, all), ['gdb', 'eu-stack']);
    assert.deepEqual(engineOrder('auto', { runtime: { kind: 'native' } }, { pySpy: false, euStack: false, gdb: false }), []);
  });
  test('a named engine is the only one tried', () => {
    assert.deepEqual(engineOrder('gdb', { runtime: { kind: 'cpython', version: '3.11' } }, all), ['gdb']);
  });
});

describe('sampling profile', () => {
  const f = (fn: string, line: number): SnapshotFrame => ({
    function: fn,
    file: '/srv/app.py',
    line,
    column: null,
    app: true,
    local: null,
  });
  const hot = [f('regex', 3), f('handle', 10), f('main', 20)];
  const cold = [f('sleep', 5), f('main', 21)];
  const profile = new StackProfile();
  for (let i = 0; i < 3; i++)
    profile.add({
      pauseMs: 0,
      threads: [
        { id: 1, name: null, frames: hot },
        { id: 2, name: null, frames: [] },
      ],
    });
  profile.add({ pauseMs: 2, threads: [{ id: 1, name: null, frames: cold }] });

  test('hottest stacks first, root first in collapsed stacks', () => {
    assert.equal(profile.samples, 4);
    assert.equal(profile.pauseMs, 2);
    assert.equal(
      profile.toCollapsed(),
      'main (/srv/app.py:20);handle (/srv/app.py:10);regex (/srv/app.py:3) 3\nmain (/srv/app.py:21);sleep (/srv/app.py:5) 1\n',
    );
  });

  test('speedscope: shared frames, one weighted sample per distinct stack', () => {
    const doc = profile.toSpeedscope('web-1 process 1') as {
      shared: { frames: { name: string; line?: number }[] };
      profiles: { type: string; samples: number[][]; weights: number[]; endValue: number }[];
    };
    assert.deepEqual(
      doc.shared.frames.map((x) => `${x.name}:${x.line}`),
      ['main:20', 'handle:10', 'regex:3', 'main:21', 'sleep:5'],
    );
    assert.deepEqual(doc.profiles[0], {
      type: 'sampled',
      name: 'web-1 process 1',
      unit: 'none',
      startValue: 0,
      endValue: 4,
      samples: [
        [0, 1, 2],
        [3, 4],
      ],
      weights: [3, 1],
    });
  });
});

describe('sampling profile from counts aggregated on the host', () => {
  const f = (fn: string, line: number): SnapshotFrame => ({
    function: fn,
    file: '/srv/app.py',
    line,
    column: null,
    app: true,
    local: null,
  });
  const hot = [f('regex', 3), f('handle', 10), f('main', 20)];
  const cold = [f('sleep', 5), f('main', 21)];

  test('counts add to the same stacks as single snapshots, ticks to samples, uncounted sightings to (other stacks)', () => {
    const profile = new StackProfile();
    profile.add({ pauseMs: 0, threads: [{ id: 1, name: null, frames: hot }] });
    profile.addCounted(
      40,
      [
        { frames: hot, count: 30 },
        { frames: cold, count: 9 },
        { frames: [], count: 5 },
      ],
      2,
    );

    assert.equal(profile.samples, 41);
    assert.equal(profile.pauseMs, 0);
    assert.equal(
      profile.toCollapsed(),
      'main (/srv/app.py:20);handle (/srv/app.py:10);regex (/srv/app.py:3) 31\nmain (/srv/app.py:21);sleep (/srv/app.py:5) 9\n(other stacks) 2\n',
    );
  });
});
