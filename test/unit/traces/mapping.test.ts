import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { buildSync } from 'esbuild';
import {
  findStackTraces,
  FrameMapper,
  type FrameMapping,
  indexDirectory,
  type MappableFrame,
  suggestRule,
  WorkspaceIndex,
} from '../../../src/core/traces';

const ROOT = path.resolve('/work/ws');

function frame(file: string, line = 10, fn: string | null = 'f', app = true, column: number | null = null): MappableFrame {
  return { file, line, column, function: fn, app };
}

function summary(mapping: FrameMapping): string {
  if (mapping.kind === 'mapped') return `${mapping.via} ${mapping.relativePath ?? mapping.path}:${mapping.line}`;
  if (mapping.kind === 'ambiguous') return `ambiguous ${mapping.candidates.join(' ')}`;
  return `unmapped: ${mapping.reason}`;
}

const index = new WorkspaceIndex(ROOT, [
  'app/jobs.py',
  'app/worker.py',
  'tests/app/worker.py',
  'src/app/models.py',
  'lib/models.py',
  'tools/decoder.py',
  'src/http/server.c',
  'Controllers/HomeController.cs',
  'orders/src/main/java/com/acme/shop/web/OrderController.java',
  'billing/src/main/java/com/acme/shop/Invoice.java',
  'billing/src/test/java/com/acme/shop/Invoice.java',
  'db/src/main/kotlin/com/acme/shop/db/Repo.kt',
]);

describe('path mapping rules', () => {
  it('applies the longest matching remote prefix first', async () => {
    const mapper = new FrameMapper({
      index,
      rules: [
        { remoteRoot: '/srv', localRoot: '/elsewhere' },
        { remoteRoot: '/srv/app/current/', localRoot: ROOT },
      ],
    });
    assert.equal(summary(await mapper.map(frame('/srv/app/current/app/jobs.py', 18))), 'rule app/jobs.py:18');
  });

  it('prefers a rule for this host, and ignores rules for other hosts', async () => {
    const rules = [
      { remoteRoot: '/srv/app', localRoot: path.join(ROOT, 'tests') },
      { remoteRoot: '/srv/app', localRoot: ROOT, host: 'web-1' },
    ];
    assert.equal(
      summary(await new FrameMapper({ index, rules, host: 'web-1' }).map(frame('/srv/app/app/worker.py'))),
      'rule app/worker.py:10',
    );
    assert.equal(
      summary(await new FrameMapper({ index, rules, host: 'web-2' }).map(frame('/srv/app/app/worker.py'))),
      'rule tests/app/worker.py:10',
    );
  });

  it('matches whole path segments only', async () => {
    const mapper = new FrameMapper({ index, rules: [{ remoteRoot: '/srv/app', localRoot: ROOT }] });
    const mapping = await mapper.map(frame('/srv/application/tools/decoder.py'));
    assert.notEqual(mapping.kind === 'mapped' && mapping.via, 'rule');
  });

  it('compares Windows paths without regard to case or separator', async () => {
    const mapper = new FrameMapper({ index, rules: [{ remoteRoot: 'c:\\inetpub\\App', localRoot: ROOT }] });
    assert.equal(
      summary(await mapper.map(frame('C:\\inetpub\\app\\Controllers\\HomeController.cs', 7))),
      'rule Controllers/HomeController.cs:7',
    );
  });

  it('says so when a rule points at a file the workspace does not have', async () => {
    const mapper = new FrameMapper({ index, rules: [{ remoteRoot: '/srv/app', localRoot: ROOT }] });
    const mapping = await mapper.map(frame('/srv/app/missing/nowhere.py'));
    assert.equal(mapping.kind, 'unmapped');
    assert.match(mapping.kind === 'unmapped' ? mapping.reason : '', /missing\/nowhere\.py, which is not in the workspace/);
  });

  it('trusts a rule as written when there is no workspace index', async () => {
    const mapper = new FrameMapper({ rules: [{ remoteRoot: '/srv/app', localRoot: '/home/me/checkout' }] });
    const mapping = await mapper.map(frame('/srv/app/x/y.py', 3));
    assert.deepEqual(mapping, { kind: 'mapped', path: '/home/me/checkout/x/y.py', relativePath: null, line: 3, column: null, via: 'rule' });
  });

  it('suggests the rule that an ambiguous pick would save', () => {
    assert.deepEqual(suggestRule('/srv/app/releases/4f2a9c1/app/worker.py', 'app/worker.py', 'web-1'), {
      remoteRoot: '/srv/app/releases/4f2a9c1',
      localRoot: '.',
      host: 'web-1',
    });
    assert.deepEqual(suggestRule('/opt/svc/pkg/x.go', 'services/svc/pkg/x.go'), { remoteRoot: '/opt', localRoot: 'services' });
  });
});

describe('suffix inference', () => {
  const mapper = new FrameMapper({ index });

  it('maps to the one workspace file sharing the longest path suffix', async () => {
    assert.equal(summary(await mapper.map(frame('/srv/app/releases/4f2a9c1/app/jobs.py', 18))), 'suffix app/jobs.py:18');
    assert.equal(summary(await mapper.map(frame('/home/deploy/src/app/models.py', 4))), 'suffix src/app/models.py:4');
  });

  it('returns the candidates instead of guessing when several files tie', async () => {
    assert.equal(
      summary(await mapper.map(frame('/srv/app/releases/4f2a9c1/app/worker.py'))),
      'ambiguous app/worker.py tests/app/worker.py',
    );
  });

  it('asks about an application frame that shares only its file name, and leaves a library frame alone', async () => {
    assert.equal(summary(await mapper.map(frame('/srv/other/decoder.py'))), 'ambiguous tools/decoder.py');
    const library = await mapper.map(frame('/usr/lib/python3.11/json/decoder.py', 10, 'decode', false));
    assert.equal(library.kind, 'unmapped');
  });

  it('reports a path that matches nothing, and a frame without a file', async () => {
    assert.match(summary(await mapper.map(frame('/srv/app/nothing_like_it.py'))), /^unmapped: no rule matches and no workspace file/);
    assert.match(
      summary(await mapper.map({ file: null, line: null, column: null, function: 'poll', app: false })),
      /^unmapped: the frame has no file/,
    );
    assert.match(summary(await mapper.map(frame('<frozen runpy>'))), /^unmapped: <frozen runpy> is not a source file/);
  });

  it('takes a relative path that is already in the workspace as it is', async () => {
    assert.equal(summary(await mapper.map(frame('src/http/server.c', 142))), 'workspace src/http/server.c:142');
  });
});

describe('Java package mapping', () => {
  it('finds the class file from the package under the source roots', async () => {
    const mapper = new FrameMapper({ index });
    assert.equal(
      summary(await mapper.map(frame('OrderController.java', 42, 'com.acme.shop.web.OrderController.show'))),
      'java-package orders/src/main/java/com/acme/shop/web/OrderController.java:42',
    );
    assert.equal(
      summary(await mapper.map(frame('Repo.kt', 17, 'com.acme.shop.db.Repo.load'))),
      'java-package db/src/main/kotlin/com/acme/shop/db/Repo.kt:17',
    );
    // inner classes and lambdas live in the outer class's file
    assert.equal(
      summary(await mapper.map(frame('OrderController.java', 50, 'com.acme.shop.web.OrderController$Inner.lambda$run$0'))),
      'java-package orders/src/main/java/com/acme/shop/web/OrderController.java:50',
    );
  });

  it('is ambiguous when two source roots hold the class, unless the configured roots decide', async () => {
    const fn = 'com.acme.shop.Invoice.total';
    assert.equal(
      summary(await new FrameMapper({ index }).map(frame('Invoice.java', 9, fn))),
      'ambiguous billing/src/main/java/com/acme/shop/Invoice.java billing/src/test/java/com/acme/shop/Invoice.java',
    );
    const configured = new FrameMapper({ index, javaSourceRoots: ['billing/src/main/java'] });
    assert.equal(
      summary(await configured.map(frame('Invoice.java', 9, fn))),
      'java-package billing/src/main/java/com/acme/shop/Invoice.java:9',
    );
  });
});

describe('source maps', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'ff-sourcemap-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  mkdirSync(path.join(work, 'src'));
  writeFileSync(
    path.join(work, 'src/orders.ts'),
    [
      'interface Order { id: number; total?: number }',
      '',
      'export function total(order: Order): number {',
      '  if (order.total === undefined) {',
      '    throw new Error(`order ${order.id} has no total`);',
      '  }',
      '  return order.total;',
      '}',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(work, 'src/main.ts'), "import { total } from './orders';\n\nconsole.log(total({ id: 7 }));\n");

  /** Builds with esbuild, runs the output, and returns its stack as the host would have printed it. */
  function buildAndRun(sourcemap: 'external' | 'inline', outdir: string): string {
    buildSync({
      entryPoints: [path.join(work, 'src/main.ts')],
      bundle: true,
      platform: 'node',
      sourcemap,
      outdir: path.join(work, outdir),
      logLevel: 'silent',
    });
    let stderr = '';
    try {
      execFileSync(process.execPath, [path.join(work, outdir, 'main.js')], { stdio: 'pipe' });
    } catch (error) {
      stderr = String((error as { stderr: Buffer }).stderr);
    }
    return stderr.split(work).join('/srv/app/current');
  }

  async function mapFirstAppFrame(stderr: string, outdir: string): Promise<FrameMapping> {
    const [trace] = findStackTraces(stderr);
    assert.ok(trace, `no trace in ${stderr}`);
    const thrower = trace.exceptions[0].frames[0];
    assert.equal(thrower.file, `/srv/app/current/${outdir}/main.js`);
    const workspace = await indexDirectory(work);
    const mapper = new FrameMapper({ index: workspace, rules: [{ remoteRoot: '/srv/app/current', localRoot: work }] });
    return mapper.map(thrower);
  }

  it('maps a real Node stack from built output to the TypeScript line through the .map file', async () => {
    const mapping = await mapFirstAppFrame(buildAndRun('external', 'dist'), 'dist');
    assert.equal(mapping.kind, 'mapped');
    assert.equal(mapping.kind === 'mapped' && mapping.via, 'source-map');
    assert.equal(mapping.kind === 'mapped' && mapping.relativePath, 'src/orders.ts');
    assert.equal(mapping.kind === 'mapped' && mapping.line, 5);
  });

  it('reads an inline data: source map', async () => {
    const mapping = await mapFirstAppFrame(buildAndRun('inline', 'inline'), 'inline');
    assert.equal(summary(mapping), 'source-map src/orders.ts:5');
  });

  it('stays on the built file when its source map is broken', async () => {
    const broken = new WorkspaceIndex(ROOT, ['dist/app.js', 'dist/app.js.map']);
    const mapper = new FrameMapper({ index: broken, readFile: async () => '{"version":3,"sources":["a.ts"],"mappings":"!!"}' });
    assert.equal(summary(await mapper.map(frame('/srv/app/dist/app.js', 1, 'f', true, 5))), 'suffix dist/app.js:1');
  });
});

describe('workspace index', () => {
  it('walks a directory, skipping .git and node_modules', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ff-index-'));
    try {
      for (const file of ['src/a.py', 'node_modules/x/index.js', '.git/config', 'README.md']) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        writeFileSync(path.join(dir, file), '');
      }
      const walked = await indexDirectory(dir);
      assert.equal(walked.size, 2);
      assert.equal(walked.find('src/a.py'), 'src/a.py');
      assert.equal(walked.find('node_modules/x/index.js'), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
