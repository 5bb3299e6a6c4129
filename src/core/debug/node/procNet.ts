// Which TCP sockets a process listens on, from Linux's /proc: /proc/PID/net/tcp(6) lists every
// socket of the process's network namespace with its inode, /proc/PID/fd/* links name the inodes
// the process holds (`socket:[inode]`). A listening socket is the process's own when its inode is
// among its fds (docs/architecture.md, "Debugging: Node processes").

export interface ListeningSocket {
  /** The bound address as text: 127.0.0.1, 0.0.0.0, ::1, ::, or an IPv4-mapped address as IPv4. */
  address: string;
  port: number;
  inode: string;
}

/** The kernel's TCP_LISTEN state in the `st` column. */
const TCP_LISTEN = '0A';

/** LISTEN rows of /proc/PID/net/tcp or tcp6 (the header line and other states are skipped). */
export function parseListeningSockets(text: string): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const line of text.split('\n')) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || fields[3] !== TCP_LISTEN) continue;
    const local = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(fields[1]);
    if (!local || !/^\d+$/.test(fields[9]) || fields[9] === '0') continue;
    sockets.push({ address: decodeAddress(local[1]), port: parseInt(local[2], 16), inode: fields[9] });
  }
  return sockets;
}

/** The socket inodes among `readlink /proc/PID/fd/*` lines (`socket:[12345]`). */
export function parseSocketInodes(text: string): Set<string> {
  const inodes = new Set<string>();
  for (const match of text.matchAll(/socket:\[(\d+)\]/g)) inodes.add(match[1]);
  return inodes;
}

/** The listening sockets `pid` holds: the namespace's listeners whose inode is one of its fds. */
export function ownedListeners(listeners: readonly ListeningSocket[], inodes: ReadonlySet<string>): ListeningSocket[] {
  return listeners.filter((s) => inodes.has(s.inode));
}

/**
 * The kernel prints addresses as 32-bit words in host byte order (little-endian on every
 * platform Firefighter's hosts run), each word's bytes reversed.
 */
function decodeAddress(hex: string): string {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    for (let byte = 3; byte >= 0; byte--) bytes.push(parseInt(hex.slice(word + byte * 2, word + byte * 2 + 2), 16));
  }
  if (bytes.length === 4) return bytes.join('.');
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return bytes.slice(12).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return compressIpv6(groups);
}

/** RFC 5952 text: the longest run (≥ 2) of zero groups becomes `::`. */
function compressIpv6(groups: string[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

/** Where to connect on the host for a socket bound to `address`: a wildcard is reached on loopback. */
export function connectAddress(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '::1';
  return address;
}
