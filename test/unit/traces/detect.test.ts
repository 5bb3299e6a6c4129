import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { findStackTraces, type StackFrame, type StackTrace } from '../../../src/core/traces';

const FIXTURES = path.join(__dirname, '../../fixtures/traces');

function load(name: string): { text: string; traces: StackTrace[] } {
  const text = readFileSync(path.join(FIXTURES, name), 'utf8');
  return { text, traces: findStackTraces(text) };
}

/** function @ file:line[:column] (app|lib), the way a user reads a frame. */
function show(frame: StackFrame): string {
  const column = frame.column === null ? '' : `:${frame.column}`;
  return `${frame.function} @ ${frame.file}:${frame.line}${column} ${frame.app ? 'app' : 'lib'}`;
}

function only(traces: StackTrace[]): StackTrace {
  assert.equal(traces.length, 1, `expected one trace, got ${traces.length}`);
  return traces[0];
}

describe('Node/V8 traces', () => {
  it('parses every frame shape: new, async, file:// URLs, node:internal, [as], eval, anonymous, native', () => {
    const { text, traces } = load('node-basic.txt');
    const trace = only(traces);
    assert.equal(trace.language, 'javascript');
    const [exception] = trace.exceptions;
    assert.equal(exception.type, 'TypeError');
    assert.equal(exception.message, 'The "path" argument must be of type string. Received undefined');
    assert.deepEqual(exception.frames.map(show), [
      'new NodeError @ node:internal/errors:405:5 lib',
      'validateString @ node:internal/validators:162:11 lib',
      'Object.join @ node:path:1175:7 lib',
      'loadConfig @ /srv/app/releases/20240501/dist/config.js:12:21 app',
      'async Promise.all @ null:null lib',
      'async main @ /srv/app/releases/20240501/dist/main.mjs:40:3 app',
      'Router.handle [as handle_request] @ /srv/app/releases/20240501/node_modules/express/lib/router/layer.js:95:5 lib',
      'eval @ /srv/app/releases/20240501/dist/template.js:8:10 app',
      'null @ /srv/app/releases/20240501/dist/worker.js:77:9 app',
      'Array.forEach @ null:null lib',
    ]);
    // The trace covers its header and frames, not the log lines around it.
    assert.ok(text.slice(trace.span.start, trace.span.end).startsWith('TypeError [ERR_INVALID_ARG_TYPE]'));
    assert.ok(text.slice(trace.span.start, trace.span.end).endsWith('at Array.forEach (<anonymous>)'));
    assert.equal(
      text.slice(exception.frames[3].span.start, exception.frames[3].span.end),
      'at loadConfig (/srv/app/releases/20240501/dist/config.js:12:21)',
    );
  });

  it('makes an error cause its own entry and skips the printed properties', () => {
    const trace = only(load('node-cause.txt').traces);
    assert.deepEqual(
      trace.exceptions.map((e) => [e.relation, e.type, e.message, e.frames.length]),
      [
        [null, 'Error', 'could not save order', 2],
        ['cause', 'Error', 'connect ECONNREFUSED 10.0.0.7:5432', 2],
      ],
    );
  });

  it('finds stacks escaped inside JSON log lines, even JSON inside JSON, with spans into the raw line', () => {
    const { text, traces } = load('node-json.log');
    assert.equal(traces.length, 2);
    const [first, nested] = traces;
    assert.equal(first.exceptions[0].message, 'upstream timed out');
    assert.deepEqual(first.exceptions[0].frames.map(show), [
      'fetchUser @ /srv/app/dist/users.js:21:9 app',
      'async route @ /srv/app/dist/server.js:88:14 app',
    ]);
    assert.equal(
      text.slice(first.exceptions[0].frames[0].span.start, first.exceptions[0].frames[0].span.end),
      'at fetchUser (/srv/app/dist/users.js:21:9)',
    );
    assert.equal(nested.exceptions[0].type, 'TypeError');
    assert.deepEqual(nested.exceptions[0].frames.map(show), ['render @ /srv/app/dist/view.js:5:3 app']);
    // The doubly escaped frame still points at its own characters in the file.
    const raw = text.slice(nested.exceptions[0].frames[0].span.start, nested.exceptions[0].frames[0].span.end);
    assert.ok(raw.startsWith('at render (/srv/app/dist/view.js:5:3'), raw);
  });

  it('reads ANSI-coloured frames and keeps spans on the coloured text', () => {
    const { text, traces } = load('node-ansi.txt');
    const trace = only(traces);
    assert.equal(trace.exceptions[0].message, 'snapshot mismatch');
    assert.deepEqual(trace.exceptions[0].frames.map(show), [
      'Object.<anonymous> @ /home/ci/work/test/app.test.js:14:23 app',
      'Promise.then.completed @ /home/ci/work/node_modules/jest-circus/build/utils.js:298:28 lib',
    ]);
    const span = trace.exceptions[0].frames[0].span;
    assert.ok(text.slice(span.start, span.end).includes('\x1b[36m/home/ci/work/test/app.test.js'));
  });

  it('reads Windows paths, spaces included', () => {
    const trace = only(load('node-windows.txt').traces);
    assert.deepEqual(trace.exceptions[0].frames.map(show), [
      'Object.openSync @ node:fs:596:3 lib',
      'writeReport @ C:\\Program Files\\Acme\\app\\dist\\report.js:10:5 app',
      'null @ C:\\Program Files\\Acme\\app\\dist\\index.js:3:1 app',
    ]);
  });
});

describe('Python traces', () => {
  it('splits a chain into entries in text order, with how each relates to the previous', () => {
    const { text, traces } = load('python-chained.txt');
    const trace = only(traces);
    assert.equal(trace.language, 'python');
    assert.deepEqual(
      trace.exceptions.map((e) => [e.relation, e.type, e.message]),
      [
        [null, 'KeyError', "'count'"],
        ['during-handling-of-previous', 'app.errors.JobError', 'bad payload'],
        ['caused-by-previous', 'RuntimeError', 'job 42 failed'],
      ],
    );
    assert.deepEqual(trace.exceptions[1].frames.map(show), [
      'run @ /srv/app/releases/4f2a9c1/app/jobs.py:20 app',
      'error @ /usr/lib/python3.11/logging/__init__.py:1518 lib',
    ]);
    assert.equal(trace.exceptions[2].frames[1].app, false, '<frozen runpy> is the runtime');
    assert.ok(trace.exceptions.every((e) => !e.innermostFirst));
    assert.ok(!text.slice(trace.span.start, trace.span.end).includes('next job'));
  });

  it('reads gdb py-bt (most recent call first), skipping C-level lines', () => {
    const trace = only(load('python-py-bt.txt').traces);
    const [exception] = trace.exceptions;
    assert.equal(exception.innermostFirst, true);
    assert.deepEqual(exception.frames.map(show), [
      'wait @ /srv/app/app/poller.py:31 app',
      'run @ /srv/app/app/poller.py:45 app',
      '<module> @ /srv/app/main.py:9 app',
    ]);
  });

  it('reads faulthandler dumps: the fatal error, then one entry per thread', () => {
    const trace = only(load('python-faulthandler.txt').traces);
    assert.deepEqual(
      trace.exceptions.map((e) => [e.relation, e.type, e.message, e.frames.map((f) => f.function)]),
      [
        [null, 'Fatal Python error', 'Segmentation fault', ['crash', '<module>']],
        ['thread', null, 'Thread 0x00007f3a2a1fe700', ['wait', 'loop']],
      ],
    );
  });

  it('strips per-line log prefixes (timestamp, stream, flags) and still tells source lines from the exception line', () => {
    const { text, traces } = load('python-prefixed.log');
    const trace = only(traces);
    assert.equal(trace.exceptions[0].type, 'ValueError');
    assert.equal(trace.exceptions[0].message, 'bad id 17');
    assert.deepEqual(trace.exceptions[0].frames.map(show), [
      'handle @ /srv/app/app/api.py:88 app',
      'process @ /srv/app/app/api.py:102 app',
    ]);
    assert.equal(
      text.slice(trace.exceptions[0].frames[0].span.start, trace.exceptions[0].frames[0].span.end),
      'File "/srv/app/app/api.py", line 88, in handle',
    );
  });

  it('joins a frame that a terminal hard-wrapped', () => {
    const trace = only(load('python-wrapped.txt').traces);
    assert.deepEqual(trace.exceptions[0].frames.map(show), [
      'handler @ /srv/app/releases/20240501T120000Z/app/very/deeply/nested/package/module.py:5 app',
    ]);
    assert.equal(trace.exceptions[0].type, 'ZeroDivisionError');
  });

  it('reads Python 3.13 coloured tracebacks', () => {
    const trace = only(load('python-color.txt').traces);
    assert.deepEqual(trace.exceptions[0].frames.map(show), ['index @ /srv/app/app/views.py:14 app']);
    assert.equal(trace.exceptions[0].type, 'ZeroDivisionError');
    assert.equal(trace.exceptions[0].message, 'division by zero');
  });
});

describe('Java traces', () => {
  it('reads Caused by, Suppressed, elided frames, module prefixes and logback packaging suffixes', () => {
    const { text, traces } = load('java-caused-by.log');
    const trace = only(traces);
    assert.equal(trace.language, 'java');
    assert.deepEqual(
      trace.exceptions.map((e) => [e.relation, e.type, e.frames.length]),
      [
        [null, 'org.springframework.web.util.NestedServletException', 3],
        ['cause', 'java.lang.IllegalStateException', 3],
        ['suppressed', 'java.io.IOException', 1],
        ['cause', 'java.sql.SQLException', 2],
      ],
    );
    assert.deepEqual(trace.exceptions[0].frames.map(show), [
      'org.springframework.web.servlet.FrameworkServlet.processRequest @ FrameworkServlet.java:1014 lib',
      'com.acme.shop.web.OrderController.show @ OrderController.java:42 app',
      'java.lang.Thread.run @ Thread.java:833 lib',
    ]);
    assert.deepEqual(trace.exceptions[3].frames.map(show), [
      'com.acme.shop.db.Repo.load @ Repo.kt:17 app',
      'jdk.internal.reflect.NativeMethodAccessorImpl.invoke0 @ null:null lib',
    ]);
    // The log line before the exception and the one after are not part of the trace.
    const body = text.slice(trace.span.start, trace.span.end);
    assert.ok(body.startsWith('org.springframework.web.util.NestedServletException'));
    assert.ok(!body.includes('GET /orders/18'));
  });
});

describe('Go traces', () => {
  it('reads a panic with its goroutines; `created by` is a frame; arguments are dropped', () => {
    const trace = only(load('go-panic.txt').traces);
    assert.equal(trace.language, 'go');
    const [panic, other] = trace.exceptions;
    assert.equal(panic.type, 'panic');
    assert.ok(panic.message.startsWith('runtime error: invalid memory address or nil pointer dereference'));
    assert.deepEqual(panic.frames.map(show), [
      'github.com/acme/shop/internal/orders.(*Service).Find @ /home/builder/src/github.com/acme/shop/internal/orders/service.go:57 app',
      'net/http.HandlerFunc.ServeHTTP @ /usr/local/go/src/net/http/server.go:2136 lib',
      'net/http.(*Server).Serve @ /usr/local/go/src/net/http/server.go:3086 lib',
    ]);
    assert.equal(other.relation, 'goroutine');
    assert.equal(other.message, 'goroutine 1 [IO wait]');
    assert.deepEqual(
      other.frames.map((f) => f.function),
      ['internal/poll.runtime_pollWait', 'main.main'],
    );
  });
});

describe('.NET traces', () => {
  it('gives inner exceptions their own entry and their own frames, before and after End of inner', () => {
    const trace = only(load('dotnet-inner.txt').traces);
    assert.equal(trace.language, 'dotnet');
    const [outer, inner] = trace.exceptions;
    assert.equal(outer.type, 'System.InvalidOperationException');
    assert.deepEqual(outer.frames.map(show), [
      'Acme.Shop.Orders.Place @ /src/Acme.Shop/Orders.cs:58 app',
      'Acme.Shop.Program.Main @ C:\\build\\src\\Acme.Shop\\Program.cs:12 app',
    ]);
    assert.equal(inner.relation, 'inner');
    assert.equal(inner.type, 'System.Collections.Generic.KeyNotFoundException');
    assert.deepEqual(inner.frames.map(show), [
      'System.Collections.Generic.Dictionary`2.get_Item @ null:null lib',
      'Acme.Shop.Catalog.Price @ /src/Acme.Shop/Catalog.cs:31 app',
    ]);
  });
});

describe('Ruby traces', () => {
  it('reads the old backquote style and skips elided levels', () => {
    const trace = only(load('ruby-old.txt').traces);
    assert.equal(trace.exceptions[0].type, 'NoMethodError');
    assert.equal(trace.exceptions[0].message, "undefined method `upcase' for nil:NilClass");
    assert.deepEqual(trace.exceptions[0].frames.map(show), [
      'full_name @ /srv/app/app/models/user.rb:12 app',
      'show @ /srv/app/app/controllers/users_controller.rb:8 app',
      'send_action @ /usr/local/bundle/gems/actionpack-7.0.4/lib/action_controller/metal/basic_implicit_render.rb:6 lib',
      '<main> @ bin/rails:4 app',
    ]);
  });

  it('reads the 3.4 quote style and the cause printed after', () => {
    const trace = only(load('ruby-34.txt').traces);
    assert.deepEqual(
      trace.exceptions.map((e) => [e.relation, e.type, e.frames.map((f) => f.function)]),
      [
        [null, 'JSON::ParserError', ['Importer#parse', 'block in Importer#run', 'loop']],
        ['cause', 'IOError', ['Reader#read', 'Importer#run']],
      ],
    );
  });
});

describe('PHP traces', () => {
  it('reads the throw site as the first frame, internal functions, {main} and the Next chain', () => {
    const trace = only(load('php-uncaught.txt').traces);
    assert.equal(trace.language, 'php');
    const [first, next] = trace.exceptions;
    assert.equal(first.type, 'InvalidArgumentException');
    assert.equal(first.message, 'empty cart');
    assert.deepEqual(first.frames.map(show), [
      'null @ /var/www/app/src/Cart.php:41 app',
      'App\\Cart->total @ /var/www/app/src/Checkout.php:19 app',
      'App\\Checkout->__invoke @ /var/www/app/vendor/slim/slim/Slim/Handlers/Strategies/RequestResponse.php:43 lib',
      'App\\Kernel->handle @ null:null lib',
      '{main} @ null:null lib',
    ]);
    assert.equal(next.relation, 'caused-by-previous');
    assert.equal(next.type, 'RuntimeException');
    assert.deepEqual(
      next.frames.map((f) => f.file),
      ['/var/www/app/src/Checkout.php', '/var/www/app/public/index.php', null],
    );
  });
});

describe('gdb backtraces', () => {
  it('reads frame 0 without an address, wrapped arguments and locations on the next line', () => {
    const { text, traces } = load('gdb-bt.txt');
    const trace = only(traces);
    assert.equal(trace.language, 'native');
    assert.equal(trace.exceptions[0].type, 'SIGSEGV');
    assert.deepEqual(trace.exceptions[0].frames.map(show), [
      'parse_header @ src/http/parse.c:88 app',
      'handle_request @ src/http/server.c:142 app',
      'worker_loop @ src/http/worker.c:57 app',
      'start_thread @ ./nptl/pthread_create.c:442 lib',
      'clone3 @ /lib/x86_64-linux-gnu/libc.so.6:null lib',
    ]);
    const wrapped = trace.exceptions[0].frames[1].span;
    assert.ok(text.slice(wrapped.start, wrapped.end).endsWith('flags=3) at src/http/server.c:142'));
  });

  it('reads thread apply all bt as one entry per thread', () => {
    const trace = only(load('gdb-threads.txt').traces);
    assert.deepEqual(
      trace.exceptions.map((e) => [e.relation, e.frames.map((f) => f.function)]),
      [
        [null, ['__GI___poll', 'worker_loop']],
        ['thread', ['main']],
      ],
    );
  });
});

describe('mixed logs', () => {
  it('finds every trace of a log in order and nothing in ordinary lines that mention "at" or "File"', () => {
    const names = ['java-caused-by.log', 'python-chained.txt', 'go-panic.txt', 'node-basic.txt', 'ruby-old.txt', 'gdb-bt.txt'];
    const noise = [
      'user looked at the dashboard at 12:00',
      'File "report.pdf" uploaded by alice',
      'goroutine count is high',
      'retrying #3 in 5s',
      'panic button pressed: false',
    ].join('\n');
    const text = names.map((n) => readFileSync(path.join(FIXTURES, n), 'utf8')).join(noise + '\n');
    const traces = findStackTraces(noise + '\n' + text + noise);
    assert.deepEqual(
      traces.map((t) => t.language),
      ['java', 'python', 'go', 'javascript', 'ruby', 'native'],
    );
  });
});

describe('fingerprints', () => {
  const python = (release: string, line: number, type = 'KeyError') =>
    `Traceback (most recent call last):\n  File "/srv/app/releases/${release}/app/jobs.py", line ${line}, in run\n    x()\n  File "/srv/app/releases/${release}/app/util.py", line ${line + 7}, in get\n${type}: 'id-${line}'\n`;

  it('stays the same across deploys: other release directory, other line numbers and message', () => {
    const a = only(findStackTraces(python('4f2a9c1', 18))).fingerprint;
    const b = only(findStackTraces(python('9b0c3d2', 25))).fingerprint;
    assert.equal(a, b);
  });

  it('differs when the exception type differs', () => {
    assert.notEqual(only(findStackTraces(python('a', 1))).fingerprint, only(findStackTraces(python('a', 1, 'ValueError'))).fingerprint);
  });

  it('ignores Java lambda ids and Go goroutine numbers', () => {
    const java = (id: string) =>
      `java.lang.IllegalStateException: x\n\tat com.acme.A$$Lambda$${id}/0x0000000800c0${id}.apply(A.java:3)\n\tat com.acme.B.run(B.java:9)\n`;
    assert.equal(only(findStackTraces(java('1234'))).fingerprint, only(findStackTraces(java('5678'))).fingerprint);
    const go = (id: number) => `panic: boom\n\ngoroutine ${id} [running]:\nmain.f(0xc00001${id})\n\t/src/main.go:${id} +0x1d\n`;
    assert.equal(only(findStackTraces(go(1))).fingerprint, only(findStackTraces(go(77))).fingerprint);
  });
});
