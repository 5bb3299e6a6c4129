// gdb runs on the host under a small sh watchdog, sent with the command (nothing installed): the
// watchdog relays the client's lines to gdb's stdin, except the heartbeat lines. When the client
// goes (stdin ends: channel closed, client killed, SSH cut) or falls silent past the limit (a
// stalled link), it detaches and exits gdb (gdb detaches a running process too; no interrupt,
// whose SIGINT, if still queued at the detach, would kill the target), kills gdb if that does
// not end it (which could leave a breakpoint's int3 in a running target), and
// then sends SIGCONT if the target sits stopped with no tracer (a group-stop survives the
// tracer's exit). See docs/architecture.md, "Debugging: gdb/MI and the watchdog".
import type { Clock, TimerHandle } from '../../util/clock';
import { shellWord } from '../../util/shell';

/** The line the client sends to say it is alive; never an MI command (those start with a token or '-'). */
export const HEARTBEAT_LINE = '#firefighter-heartbeat';

/** How many heartbeat intervals of silence the watchdog allows by default before it detaches. */
export const DEFAULT_MISSED_HEARTBEATS = 5;

/** Exit code of the watchdog when the host cannot run it (no mktemp/mkfifo, gdb did not start). */
export const WATCHDOG_SETUP_FAILED = 70;

// $1 pid, $2 tick (seconds, a decimal), $3 ticks of silence allowed, $4 "sudo" or "",
// $5 the heartbeat line. Runs under dash/bash/busybox sh.
const watchdogScript = String.raw`
trap '' PIPE HUP
pid=$1 tick=$2 limit=$3 beat=$5
S=; [ "$4" = sudo ] && S='sudo -n'
d=$(mktemp -d /tmp/firefighter-gdb.XXXXXX) || exit 70
trap 'rm -rf "$d"' EXIT
trap 'exit 0' TERM
mkfifo "$d/in" || exit 70
say() { printf 'firefighter-watchdog: %s\n' "$*" >&2 2>/dev/null; }
st() { sed -n 's/^State:[[:space:]]*\([A-Za-z]\).*/\1/p' "/proc/$1/status" 2>/dev/null; }
alive() { s=$(st "$1"); [ -n "$s" ] && [ "$s" != Z ] && [ "$s" != X ]; }
was=$(st "$pid")
$S sh -c 'echo $$ >"$1.tmp" && mv "$1.tmp" "$1" && exec gdb --interpreter=mi3 -nx -q' sh "$d/gdb" <"$d/in" &
exec 3>"$d/in"
n=0
while [ ! -s "$d/gdb" ]; do
  n=$((n+1)); [ $n -gt 200 ] && { say "gdb did not start"; exit 70; }
  sleep 0.05
done
g=$(cat "$d/gdb")
stopped_untraced() {
  for f in /proc/$pid/task/*/status; do
    s=$(sed -n 's/^State:[[:space:]]*\([A-Za-z]\).*/\1/p' "$f" 2>/dev/null)
    t=$(sed -n 's/^TracerPid:[[:space:]]*//p' "$f" 2>/dev/null)
    case $s in t|T) [ "$t" = 0 ] && return 0;; esac
  done
  return 1
}
finish() {
  mkdir "$d/lock" 2>/dev/null || return 1
  if alive "$g"; then
    say "$1: detaching gdb from $pid"
    printf '%s\n' '-target-detach' '-gdb-exit' >&3 2>/dev/null
    n=0
    while alive "$g" && [ $n -lt 50 ]; do n=$((n+1)); sleep 0.1; done
    if alive "$g"; then say "gdb did not exit: killing it"; $S kill -KILL "$g" 2>/dev/null; fi
    while alive "$g"; do sleep 0.05; done
  fi
  exec 3>&-
  if [ "$was" != T ] && [ "$was" != t ]; then
    n=0
    while [ -d "/proc/$pid" ] && [ $n -lt 20 ]; do
      stopped_untraced || break
      say "$pid is stopped with no tracer: SIGCONT"
      $S kill -CONT "$pid" 2>/dev/null
      n=$((n+1)); sleep 0.05
    done
  fi
  return 0
}
(
  miss=0
  while :; do
    sleep "$tick" </dev/null >/dev/null 2>&1
    if ! alive "$g"; then finish "gdb ended" && kill -TERM $$; exit 0; fi
    if [ -e "$d/beat" ]; then rm -f "$d/beat"; miss=0; else miss=$((miss+1)); fi
    if [ $miss -ge "$limit" ]; then finish "no heartbeat from the client" && kill -TERM $$; exit 0; fi
  done
) </dev/null &
m=$!
while IFS= read -r line; do
  if [ "$line" = "$beat" ]; then : >"$d/beat"; else printf '%s\n' "$line" >&3 2>/dev/null; fi
done
finish "the client went away" || wait $m
kill $m 2>/dev/null
exit 0`;

export interface WatchdogOptions {
  pid: number;
  /** How often the client sends a heartbeat; the watchdog checks at the same interval. */
  heartbeatMs: number;
  /** Silence the watchdog allows before it detaches (rounded up to whole heartbeat intervals). */
  timeoutMs: number;
  sudo: boolean;
}

/** The command line that starts gdb under the watchdog (for RemoteRunner.spawn). */
export function watchdogCommand(options: WatchdogOptions): string {
  const tick = (Math.max(10, options.heartbeatMs) / 1000).toFixed(3);
  const limit = Math.max(1, Math.ceil(options.timeoutMs / Math.max(10, options.heartbeatMs)));
  const words = [String(options.pid), tick, String(limit), options.sudo ? 'sudo' : '', HEARTBEAT_LINE];
  return `sh -c ${shellWord(watchdogScript)} firefighter-gdb ${words.map(shellWord).join(' ')}`;
}

/** Writes a heartbeat line every `intervalMs` on `clock` until stopped. */
export function startHeartbeat(write: (line: string) => void, clock: Clock, intervalMs: number): { stop(): void } {
  let timer: TimerHandle | undefined;
  let stopped = false;
  const beat = () => {
    if (stopped) return;
    try {
      write(`${HEARTBEAT_LINE}\n`);
    } catch {
      // The channel is closing; the runtime learns that from the channel itself.
    }
    timer = clock.setTimeout(beat, intervalMs);
  };
  beat();
  return {
    stop: () => {
      stopped = true;
      timer?.cancel();
    },
  };
}
