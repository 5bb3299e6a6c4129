// A local loopback port whose connections are piped, each through its own direct-tcpip channel on
// the host's pooled SSH connection, to an address:port on the host (docs/architecture.md,
// "Debugging: Node processes").
import * as net from 'node:net';
import type { Duplex } from 'node:stream';

/** Opens a TCP stream from the host to address:port (the pool's `forwardOut`). */
export type ForwardOut = (address: string, port: number) => Promise<Duplex>;

export interface LoopbackForward {
  readonly localPort: number;
  /** Stops listening and closes every piped connection. Safe to call twice. */
  dispose(): Promise<void>;
}

export async function openLoopbackForward(forwardOut: ForwardOut, address: string, port: number): Promise<LoopbackForward> {
  const open = new Set<{ destroy(): void }>();
  const server = net.createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    forwardOut(address, port).then(
      (channel) => {
        if (socket.destroyed) return void channel.destroy();
        open.add(channel);
        channel.on('close', () => {
          open.delete(channel);
          socket.destroy();
        });
        channel.on('error', () => channel.destroy());
        socket.on('close', () => channel.destroy());
        socket.pipe(channel).pipe(socket);
      },
      () => socket.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  let closed: Promise<void> | undefined;
  return {
    localPort: (server.address() as net.AddressInfo).port,
    dispose: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const stream of open) stream.destroy();
        open.clear();
      })),
  };
}
