import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { functionBefore, hostOfTerminal } from '../../../src/views/traces/frameTarget';
import { findFrameLocations } from '../../../src/core/traces/lineLinks';

describe('hostOfTerminal', () => {
  const hosts = ['web-1', 'web-10', 'db-1'];

  it("reads the host from the extension's terminal names", () => {
    assert.equal(hostOfTerminal(['top · web-1'], hosts), 'web-1');
    assert.equal(hostOfTerminal(['shell · web-10'], hosts), 'web-10');
    assert.equal(hostOfTerminal(['tail · db-1 · /var/log/app.log'], hosts), 'db-1');
  });

  it('falls back to a host named as a whole word, the longest one', () => {
    assert.equal(hostOfTerminal(['logs of web-10 (checkout)'], hosts), 'web-10');
    assert.equal(hostOfTerminal(['ssh web-1'], hosts), 'web-1');
  });

  it("finds no host in the user's own terminals", () => {
    assert.equal(hostOfTerminal(['bash'], hosts), undefined);
    assert.equal(hostOfTerminal(['web-100 notes', undefined], hosts), undefined);
    assert.equal(hostOfTerminal([undefined], hosts), undefined);
  });
});

describe('functionBefore', () => {
  const fnOf = (line: string) => functionBefore(line, findFrameLocations(line)[0].start);

  it('reads the Java method before a (File.java:42) location', () => {
    assert.equal(fnOf('\tat com.acme.shop.Cart.total(Cart.java:42)'), 'com.acme.shop.Cart.total');
    assert.equal(fnOf('\tat app//com.acme.Main.main(Main.java:7)'), 'app//com.acme.Main.main');
  });

  it('reads the Node function before a parenthesised location', () => {
    assert.equal(fnOf('    at Object.<anonymous> (/srv/app/index.js:3:9)'), 'Object.<anonymous>');
  });

  it('is null when the location is not in parentheses', () => {
    assert.equal(fnOf('  File "/srv/app/app.py", line 3, in main'), null);
    assert.equal(fnOf('    at /srv/app/index.js:3:9'), null);
  });
});
