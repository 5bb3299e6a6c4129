// py-spy when the host has it: `py-spy dump --nonblocking` reads the interpreter's memory without
// stopping it, as the python engine does (docs/architecture.md, "Snapshots: engines").
import { isApplicationFrame } from '../traces/classify';
import { stripControl } from '../util/text';
import type { ToolStacks } from './euStack';
import type { SnapshotFrame, SnapshotThread } from './types';

export const PY_SPY_COMMAND = '$limit py-spy dump --nonblocking --pid "$pid"';

/** `Thread 165 (active+gil): "MainThread"`; py-spy prints the thread object's address in hex when it has no TID. */
const THREAD = /^Thread (0x[0-9A-Fa-f]+|\d+) \(([^)]*)\)(?:: "(.*)")?$/;
/**
 * `    recv_pyobj (zmq/sugar/socket.py:989)`, `    ppoll (libc.so.6)` (a native frame, or line 0),
 * `    pthread_cond_timedwait` (--native, no module known). Deeper lines are --locals.
 */
const FRAME = /^ {4}(\S[^(]*?)(?: \((.+?)(?::(\d+))?\))?$/;

export interface PySpyStacks extends ToolStacks {
  /** "3.12.3", from `Python v3.12.3 (/usr/bin/python3.12)`. */
  pythonVersion?: string;
}

export function parsePySpyDump(output: string): PySpyStacks {
  const threads: SnapshotThread[] = [];
  const errors: string[] = [];
  let pythonVersion: string | undefined;
  let thread: SnapshotThread | undefined;
  for (const raw of output.split('\n')) {
    const line = raw.replace(/\u001b\[[0-9;]*m/g, '');
    const version = /^Python v(\d+\.\d+(?:\.\d+)?)/.exec(line);
    if (version) {
      pythonVersion = version[1];
      continue;
    }
    const header = THREAD.exec(line);
    if (header) {
      // A hex id is a thread object's address, not a TID: 0 says "no native id known".
      thread = {
        id: header[1].startsWith('0x') ? 0 : Number(header[1]),
        name: header[3] === undefined ? null : stripControl(header[3]),
        frames: [],
      };
      threads.push(thread);
      continue;
    }
    const frame = thread ? FRAME.exec(line) : null;
    if (frame && thread) {
      const file = frame[2] === undefined ? null : stripControl(frame[2]);
      const fn = stripControl(frame[1]);
      const entry: SnapshotFrame = {
        function: fn,
        file,
        line: frame[3] === undefined ? null : Number(frame[3]),
        column: null,
        app: isApplicationFrame('python', file, fn),
        local: null,
      };
      thread.frames.push(entry);
      continue;
    }
    if (/^Error: /.test(line)) errors.push(stripControl(line.slice(7)));
  }
  return { threads, errors, pythonVersion };
}
