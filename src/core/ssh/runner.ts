// RemoteRunner over the pool: every call shares the host's one connection.
import type { Duplex } from 'node:stream';
import type { SshProcess } from './channels';
import type { ExecOptions, ExecResult, PtyOptions, PtyProcess, RemoteProcess, RemoteRunner } from './remote';

/** What a runner needs of the pool (pool.ts). */
interface HostChannels {
  exec(name: string, command: string, options?: ExecOptions): Promise<ExecResult>;
  spawn(name: string, command: string, pty?: PtyOptions): Promise<SshProcess>;
  forwardOut(name: string, address: string, port: number): Promise<Duplex>;
}

export class SshRunner implements RemoteRunner {
  constructor(
    private readonly pool: HostChannels,
    readonly host: string,
  ) {}

  exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    return this.pool.exec(this.host, command, options);
  }

  spawn(command: string): Promise<RemoteProcess> {
    return this.pool.spawn(this.host, command);
  }

  /** A command (or, when undefined, the login shell) in a remote pty. */
  openPty(command: string | undefined, size: PtyOptions): Promise<PtyProcess> {
    return this.pool.spawn(this.host, command ?? '', size);
  }

  /** A TCP stream from the host to `address:port`. */
  forwardOut(address: string, port: number): Promise<Duplex> {
    return this.pool.forwardOut(this.host, address, port);
  }
}
