// Password and keyboard-interactive logins through the pool's prompts, against an in-process
// ssh2 server (the harness's sshd runs without PAM or passwords, so it cannot ask these).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Server, utils } from 'ssh2';
import { exitCodeForSshError } from '../../../src/cli/command';
import type { SshError } from '../../../src/core/ssh/errors';
import { SshPool } from '../../../src/core/ssh/pool';
import { ManualClock } from '../../../src/core/util/clock';
import { waitFor } from '../../support/waitFor';
import type { AuthPrompts, ResolvedHost } from '../../../src/core/ssh/types';

const PASSWORD = 'open sesame';
const ONE_TIME_CODE = '424242';

let server: Server;
let port: number;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'firefighter-pool-auth-'));
  server = new Server({ hostKeys: [utils.generateKeyPairSync('ed25519').private] }, (client) => {
    client.on('authentication', (context) => {
      if (context.username === 'kim' && context.method === 'keyboard-interactive') {
        context.prompt([{ prompt: 'Verification code: ', echo: false }], 'Two-factor login', (answers) =>
          answers[0] === ONE_TIME_CODE ? context.accept() : context.reject(),
        );
      } else if (context.username === 'pat' && context.method === 'password' && context.password === PASSWORD) {
        context.accept();
      } else {
        context.reject(context.username === 'kim' ? ['keyboard-interactive'] : ['password']);
      }
    });
    client.on('ready', () =>
      client.on('session', (accept) =>
        accept().on('exec', (acceptExec, _reject, info) => {
          const stream = acceptExec();
          stream.write(`ran ${info.command}\n`);
          stream.exit(0);
          stream.end();
        }),
      ),
    );
    client.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

function hostFor(user: string): ResolvedHost {
  return {
    alias: 'app-1',
    hostName: '127.0.0.1',
    port,
    user,
    identityFiles: [],
    identitiesOnly: false,
    proxyJump: [],
    knownHostsFiles: [join(dir, `known_hosts_${user}`)],
    strictHostKeyChecking: 'accept-new',
    needsOpenSsh: [],
  };
}

/** Prompts that answer after `delayMs`, logging what was asked. */
function prompts(answers: { password?: string; codes?: string[] }, delayMs = 0): { prompts: AuthPrompts; asked: string[] } {
  const asked: string[] = [];
  const later = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), delayMs));
  return {
    asked,
    prompts: {
      passphrase: () => assert.fail('no key is configured'),
      password: (host, user) => {
        asked.push(`password ${user}@${host}`);
        return later(answers.password);
      },
      keyboardInteractive: (host, instructions, questions) => {
        asked.push(
          `${host}: ${instructions} / ${questions.map((question) => `${question.prompt}(${question.echo ? 'echo' : 'hidden'})`).join(',')}`,
        );
        return later(answers.codes);
      },
      confirmUnknownHostKey: () => assert.fail('accept-new does not ask'),
    },
  };
}

function poolFor(user: string, authPrompts: AuthPrompts, connectTimeoutMs = 5000): SshPool {
  return new SshPool({ resolveHost: () => hostFor(user), prompts: authPrompts, agentSocket: '', connectTimeoutMs });
}

test("keyboard-interactive questions go to the prompt with the server's instructions", async () => {
  const { prompts: authPrompts, asked } = prompts({ codes: [ONE_TIME_CODE] });
  const pool = poolFor('kim', authPrompts);
  try {
    assert.equal((await pool.runner('app-1').exec('uptime')).stdout, 'ran uptime\n');
    assert.deepEqual(asked, ['app-1: Two-factor login / Verification code: (hidden)']);
  } finally {
    pool.dispose();
  }
});

test('a password is asked once per session and reused when reconnecting', async () => {
  const { prompts: authPrompts, asked } = prompts({ password: PASSWORD });
  const pool = poolFor('pat', authPrompts);
  try {
    await pool.runner('app-1').exec('one');
    pool.disconnect('app-1');
    assert.equal(pool.state('app-1').kind, 'idle');
    await pool.runner('app-1').exec('two');
    assert.deepEqual(asked, ['password pat@app-1']);
  } finally {
    pool.dispose();
  }
});

test('time spent in a prompt does not count against the connect timeout', async () => {
  // The typist takes 1 s of the pool's clock to answer; the login timeout is 300 ms of it.
  const clock = new ManualClock();
  const { prompts: authPrompts } = prompts({ password: PASSWORD });
  const slowTypist: AuthPrompts = {
    ...authPrompts,
    password: async (host, user) => {
      clock.advance(1000);
      return authPrompts.password(host, user);
    },
  };
  const pool = new SshPool({ resolveHost: () => hostFor('pat'), prompts: slowTypist, agentSocket: '', connectTimeoutMs: 300, clock });
  try {
    assert.equal((await pool.runner('app-1').exec('slow typist')).stdout, 'ran slow typist\n');
  } finally {
    pool.dispose();
  }
});

test("the connect timeout, counted on the pool's clock, fails a login that does not finish", async () => {
  // A host that accepts the TCP connection and never says a word.
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const clock = new ManualClock();
  const host = { ...hostFor('pat'), port: (silent.address() as AddressInfo).port };
  const pool = new SshPool({ resolveHost: () => host, agentSocket: '', connectTimeoutMs: 300, clock });
  try {
    const connecting = pool.connect('app-1').then(
      () => assert.fail('logged in'),
      (e: unknown) => e as SshError,
    );
    await waitFor('the login to start', () => pool.state('app-1').kind === 'connecting');
    clock.advance(299);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(pool.state('app-1').kind, 'connecting');
    clock.advance(1);
    const error = await connecting;
    assert.equal(error.kind, 'timeout');
    assert.match(error.message, /connection timed out after 0\.3 s/);
  } finally {
    pool.dispose();
    silent.close();
  }
});

test('a wrong password is "Permission denied" naming what was tried (exit code 3)', async () => {
  const pool = poolFor('pat', prompts({ password: 'guess' }).prompts);
  try {
    const error = await pool.connect('app-1').then(
      () => assert.fail('logged in'),
      (e: unknown) => e as SshError,
    );
    assert.equal(error.kind, 'auth');
    assert.match(
      error.message,
      /^app-1 \(127\.0\.0\.1:\d+\): Permission denied for pat \(the host accepts: password\)\. Tried: password\./,
    );
    assert.equal(exitCodeForSshError(error), 3);
  } finally {
    pool.dispose();
  }
});

test('cancelling the password prompt ends the login as cancelled', async () => {
  const pool = poolFor('pat', prompts({}).prompts);
  try {
    await assert.rejects(pool.connect('app-1'), (error: SshError) => error.kind === 'auth' && /login cancelled/.test(error.message));
  } finally {
    pool.dispose();
  }
});
