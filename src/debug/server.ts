// The adapter as a standalone DAP server on loopback, one session per connection: how DebugClient
// tests drive it from plain Node (docs/architecture.md, "Debugging"). VS Code runs it inline.
import { createServer, type Server } from 'node:net';
import { FirefighterDebugSession, type SessionDependencies } from './session';

export interface DebugServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startDebugServer(deps: SessionDependencies): Promise<DebugServer> {
  const sessions = new Set<FirefighterDebugSession>();
  const server: Server = createServer((socket) => {
    const session = new FirefighterDebugSession(deps);
    sessions.add(session);
    session.setRunAsServer(true);
    session.start(socket, socket);
    socket.on('close', () => {
      sessions.delete(session);
      session.dispose();
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the debug server has no TCP address');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.dispose();
        server.close(() => resolve());
      }),
  };
}
