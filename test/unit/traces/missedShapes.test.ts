// The three shapes issue 11 found missed, as the report quotes them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findStackTraces, type StackFrame } from '../../../src/core/traces';

const show = (frame: StackFrame) => `${frame.function} @ ${frame.file}:${frame.line}`;

describe('shapes missed before', () => {
  it('keeps frame #0 of a PHP trace pasted without its header', () => {
    const text = [
      '#0 /var/www/app/src/Repository/OrderRepository.php(103): App\\Repository\\OrderRepository::find()',
      '#1 /var/www/app/src/Controller/OrderController.php(41): App\\Repository\\OrderRepository->byId(12)',
      '#2 {main}',
    ].join('\n');
    const traces = findStackTraces(text);
    assert.equal(traces.length, 1);
    assert.equal(traces[0].language, 'php');
    assert.deepEqual(traces[0].exceptions[0].frames.map(show), [
      'App\\Repository\\OrderRepository::find @ /var/www/app/src/Repository/OrderRepository.php:103',
      'App\\Repository\\OrderRepository->byId @ /var/www/app/src/Controller/OrderController.php:41',
      '{main} @ null:null',
    ]);
    assert.equal(text.slice(traces[0].span.start, traces[0].span.start + 3), '#0 ');
  });

  it('reads a PHP fatal error printed on one line', () => {
    const text =
      '[02-Dec-2026 03:12:44 UTC] PHP Fatal error:  Uncaught TypeError: count(): Argument #1 ($value) must be of type Countable|array, null given in /var/www/html/wp-content/plugins/shop/a.php:287 ' +
      "Stack trace: #0 /var/www/html/wp-content/plugins/shop/b.php(311): shop_cart_total('', Array) #1 /var/www/html/wp-includes/class-wp-hook.php(324): shop_render() " +
      '#2 /var/www/html/wp-includes/plugin.php(205): WP_Hook->apply_filters(NULL, Array) #3 /var/www/html/index.php(17): apply_filters() ' +
      '#4 [internal function]: {closure}() #5 {main}\n  thrown in /var/www/html/wp-content/plugins/shop/a.php on line 287';
    for (const input of [text, text.replace('\n ', '')]) {
      const traces = findStackTraces('GET /cart 200\n' + input + '\nGET /health 200\n');
      assert.equal(traces.length, 1, input);
      const [exception] = traces[0].exceptions;
      assert.equal(traces[0].language, 'php');
      assert.equal(exception.type, 'TypeError');
      assert.equal(exception.message, 'count(): Argument #1 ($value) must be of type Countable|array, null given');
      assert.deepEqual(exception.frames.map(show), [
        'null @ /var/www/html/wp-content/plugins/shop/a.php:287',
        'shop_cart_total @ /var/www/html/wp-content/plugins/shop/b.php:311',
        'shop_render @ /var/www/html/wp-includes/class-wp-hook.php:324',
        'WP_Hook->apply_filters @ /var/www/html/wp-includes/plugin.php:205',
        'apply_filters @ /var/www/html/index.php:17',
        '{closure} @ null:null',
        '{main} @ null:null',
      ]);
    }
  });

  it('keeps a gdb frame whose location wrapped, and the frame after it', () => {
    for (const before of ['', '(gdb) bt\n']) {
      const text =
        before +
        '#0  m4_traceon (obs=0x24eb0, argc=1, argv=0x2b8c8)\n' +
        '    at builtin.c:993\n' +
        '#1  0x6e38 in expand_macro (sym=0x2b600) at macro.c:242\n' +
        '#2  0x6840 in expand_token (obs=0x0, t=177, td=0xf7fffb08) at macro.c:71\n';
      const traces = findStackTraces(text);
      assert.equal(traces.length, 1);
      assert.equal(traces[0].language, 'native');
      assert.deepEqual(traces[0].exceptions[0].frames.map(show), [
        'm4_traceon @ builtin.c:993',
        'expand_macro @ macro.c:242',
        'expand_token @ macro.c:71',
      ]);
    }
  });
});
