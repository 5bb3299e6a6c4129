// Who is in the Live Share session, for the Incident panel. Works on the shape of the Live Share
// extension's API (`ms-vsliveshare.vsliveshare`, `getApi()`: its session and peers, and their change
// events), declared here with only what is read, so it is unit-tested against a fake and nothing
// is shown when Live Share is absent. No vscode here.

/** A user as Live Share describes one. */
interface LiveShareUser {
  displayName?: string | null;
  userName?: string | null;
  emailAddress?: string | null;
}

interface LiveShareDisposable {
  dispose(): unknown;
}

/** Live Share's Role is a string enum ('None', 'Host', 'Guest') in its API. */
export interface LiveShareApiLike {
  session?: { id?: string | null; role?: string | number | null; user?: LiveShareUser | null } | null;
  peers?: readonly { role?: string | number | null; user?: LiveShareUser | null }[] | null;
  onDidChangeSession?(listener: () => void): LiveShareDisposable;
  onDidChangePeers?(listener: () => void): LiveShareDisposable;
}

export interface PresentPerson {
  name: string;
  role: 'host' | 'guest' | 'participant';
  /** This window's user. */
  you: boolean;
}

const MAX_NAME = 80;

function nameOf(user: LiveShareUser | null | undefined): string {
  const name = user?.displayName || user?.userName || user?.emailAddress || 'someone';
  return (
    name
      .replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, ' ')
      .trim()
      .slice(0, MAX_NAME) || 'someone'
  );
}

function roleOf(role: string | number | null | undefined): PresentPerson['role'] {
  // Older API versions numbered the roles: 1 host, 2 guest.
  if (role === 'Host' || role === 1) return 'host';
  if (role === 'Guest' || role === 2) return 'guest';
  return 'participant';
}

export class Presence {
  private readonly subscriptions: LiveShareDisposable[] = [];

  constructor(
    private readonly api: LiveShareApiLike | null,
    /** Called when someone joins or leaves, or the session starts or ends. */
    changed: () => void,
  ) {
    if (!api) return;
    for (const subscribe of [api.onDidChangeSession, api.onDidChangePeers]) {
      const subscription = subscribe?.call(api, changed);
      if (subscription) this.subscriptions.push(subscription);
    }
  }

  /** Everyone in the session, this window's user first; nobody outside a session or without Live Share. */
  people(): PresentPerson[] {
    const session = this.api?.session;
    if (!session?.id) return [];
    const self: PresentPerson = { name: nameOf(session.user), role: roleOf(session.role), you: true };
    const peers = (this.api?.peers ?? []).map((peer): PresentPerson => ({ name: nameOf(peer.user), role: roleOf(peer.role), you: false }));
    peers.sort((a, b) => (a.role === b.role ? a.name.localeCompare(b.name) : a.role === 'host' ? -1 : b.role === 'host' ? 1 : 0));
    return [self, ...peers];
  }

  dispose(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
  }
}
