import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FrameMapper } from '../../../src/core/traces/mapping';
import { suggestRule } from '../../../src/core/traces/mapping';
import { WorkspaceIndex } from '../../../src/core/traces/workspaceIndex';
import { readPathMappings, ruleForSettings } from '../../../src/views/traces/pathMappingSettings';

const folders = [
  { name: 'shop', path: path.resolve('/work/shop') },
  { name: 'lib', path: path.resolve('/work/lib') },
];

describe('readPathMappings', () => {
  it('expands ${workspaceFolder} and ${workspaceFolder:name}, and resolves relative roots against the first folder', () => {
    const { rules, problems } = readPathMappings(
      [
        { remoteRoot: '/srv/app/current', localRoot: '${workspaceFolder}' },
        { remoteRoot: '/srv/lib', localRoot: '${workspaceFolder:lib}/src', host: 'web-1' },
        { remoteRoot: '/opt/x', localRoot: 'vendor/x' },
      ],
      folders,
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(rules, [
      { remoteRoot: '/srv/app/current', localRoot: path.resolve('/work/shop') },
      { remoteRoot: '/srv/lib', localRoot: path.resolve('/work/lib/src'), host: 'web-1' },
      { remoteRoot: '/opt/x', localRoot: path.resolve('/work/shop/vendor/x') },
    ]);
  });

  it('skips and reports entries that are not rules or name a folder that is not open', () => {
    const { rules, problems } = readPathMappings(
      [
        { remoteRoot: '/a' },
        'x',
        { remoteRoot: '/b', localRoot: '${workspaceFolder:gone}' },
        { remoteRoot: '/c', localRoot: '.', host: 3 },
        { remoteRoot: '/d', localRoot: '.' },
      ],
      folders,
    );
    assert.deepEqual(rules, [{ remoteRoot: '/d', localRoot: path.resolve('/work/shop') }]);
    assert.deepEqual(
      problems.map((p) => p.index),
      [0, 1, 2, 3],
    );
    assert.match(problems[2].message, /workspaceFolder:gone/);
    assert.equal(readPathMappings('nope', folders).problems.length, 1);
    assert.deepEqual(readPathMappings(undefined, folders), { rules: [], problems: [] });
  });
});

describe('ruleForSettings', () => {
  it('writes a suggested rule with ${workspaceFolder} variables, and the rule maps the frame back', () => {
    const suggested = suggestRule('/srv/app/releases/4f2a9c1/app/views.py', 'src/app/views.py', 'web-1');
    const first = ruleForSettings(suggested, folders[0], true);
    assert.deepEqual(first, { remoteRoot: '/srv/app/releases/4f2a9c1', localRoot: '${workspaceFolder}/src', host: 'web-1' });
    assert.equal(ruleForSettings(suggestRule('/srv/a/x.py', 'x.py'), folders[1], false).localRoot, '${workspaceFolder:lib}');

    const { rules } = readPathMappings([first], folders);
    const index = new WorkspaceIndex(folders[0].path, ['src/app/views.py', 'tests/app/views.py']);
    const mapping = new FrameMapper({ index, rules, host: 'web-1' }).mapPath('/srv/app/releases/4f2a9c1/app/views.py', 3);
    assert.equal(mapping.kind, 'mapped');
    assert.equal(mapping.kind === 'mapped' && mapping.relativePath, 'src/app/views.py');
  });
});
