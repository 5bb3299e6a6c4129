import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findFrameLocations, MAX_LOCATIONS_PER_LINE } from '../../../src/core/traces';

/** file:line[:column] and the underlined text, as a user sees the link. */
function links(line: string): string[] {
  return findFrameLocations(line).map(
    (l) => `${l.file}:${l.line}${l.column === null ? '' : `:${l.column}`} [${line.slice(l.start, l.end)}]`,
  );
}

describe('per-line frame finder', () => {
  it('finds the location in a frame line of every format', () => {
    assert.deepEqual(links('    at loadConfig (/srv/app/dist/config.js:12:21)'), [
      '/srv/app/dist/config.js:12:21 [/srv/app/dist/config.js:12:21]',
    ]);
    assert.deepEqual(links('    at async main (file:///srv/app/main.mjs:40:3)'), [
      '/srv/app/main.mjs:40:3 [file:///srv/app/main.mjs:40:3]',
    ]);
    assert.deepEqual(links('  File "/srv/app/app/jobs.py", line 18, in run'), ['/srv/app/app/jobs.py:18 [/srv/app/app/jobs.py", line 18]']);
    assert.deepEqual(links('\tat com.acme.shop.web.OrderController.show(OrderController.java:42) ~[classes/:na]'), [
      'OrderController.java:42 [OrderController.java:42]',
    ]);
    assert.deepEqual(links('\t/home/builder/src/shop/internal/orders/service.go:57 +0x2e'), [
      '/home/builder/src/shop/internal/orders/service.go:57 [/home/builder/src/shop/internal/orders/service.go:57]',
    ]);
    assert.deepEqual(links('   at Acme.Shop.Program.Main(String[] args) in C:\\build\\src\\Program.cs:line 12'), [
      'C:\\build\\src\\Program.cs:12 [C:\\build\\src\\Program.cs:line 12]',
    ]);
    assert.deepEqual(links("\tfrom /srv/app/app/controllers/users_controller.rb:8:in `show'"), [
      '/srv/app/app/controllers/users_controller.rb:8 [/srv/app/app/controllers/users_controller.rb:8]',
    ]);
    assert.deepEqual(links('#0 /var/www/app/src/Checkout.php(19): App\\Cart->total()'), [
      '/var/www/app/src/Checkout.php:19 [/var/www/app/src/Checkout.php(19)]',
    ]);
    assert.deepEqual(links('  thrown in /var/www/app/src/Checkout.php on line 25'), [
      '/var/www/app/src/Checkout.php:25 [/var/www/app/src/Checkout.php on line 25]',
    ]);
    assert.deepEqual(links('#1  0x00005555555552a8 in handle_request (conn=0x5555, flags=3) at src/http/server.c:142'), [
      'src/http/server.c:142 [src/http/server.c:142]',
    ]);
  });

  it('keeps spaces inside parenthesised Windows paths and offsets on coloured text', () => {
    assert.deepEqual(links('    at writeReport (C:\\Program Files\\Acme\\dist\\report.js:10:5)'), [
      'C:\\Program Files\\Acme\\dist\\report.js:10:5 [C:\\Program Files\\Acme\\dist\\report.js:10:5]',
    ]);
    const coloured = '\x1b[2m    at Object.<anonymous> (\x1b[36m/ci/test/app.test.js\x1b[39m:14:23)\x1b[22m';
    const [location] = findFrameLocations(coloured);
    assert.equal(location.file, '/ci/test/app.test.js');
    assert.equal(coloured.slice(location.start, location.end), '/ci/test/app.test.js\x1b[39m:14:23');
  });

  it('does not link times, addresses, ports, URLs or runtime internals', () => {
    assert.deepEqual(links('2024-05-01 12:00:03 connected to 10.0.0.7:5432 via db.internal:5432'), []);
    assert.deepEqual(links('GET https://example.com/app.js:80 took 12:30'), []);
    assert.deepEqual(links('    at new NodeError (node:internal/errors:405:5)'), []);
    assert.deepEqual(links('  File "<frozen runpy>", line 198, in _run_module_as_main'), []);
  });

  it('finds several locations on one line, capped like VS Code caps links', () => {
    assert.equal(findFrameLocations('a.py:1 b.py:2 c.py:3').length, 3);
    const crowded = Array.from({ length: 500 }, (_, i) => `x${i}.js:${i + 1}`).join(' ');
    assert.equal(findFrameLocations(crowded).length, MAX_LOCATIONS_PER_LINE);
    assert.equal(findFrameLocations(crowded, 3).length, 3);
  });
});
