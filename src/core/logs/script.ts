// The host side of a log follower: one POSIX sh script per channel, using only ls, dd, tail,
// head, cat, wc, sleep, dirname and (for a host-side filter) grep, and gzip for a compressed
// rotated copy when the host has it, so it runs on minimal hosts without python.
// Bulk data is streamed by one GNU dd (skip/count in bytes) or, without it, tail|head; never
// line by line through the shell. A read cut short by a truncation is padded with NULs so the
// record keeps its announced length.
//
// It writes records to stdout. Each record is one ASCII header line; D and C are followed by
// exactly N raw bytes; G is followed by grep's `NUM:line` output lines and ends with `.` (or T).
//   O REASON INO SIZE OFF  now reading file INO (SIZE bytes) from byte OFF;
//                          REASON: start | resume | rotated | truncated | created
//   D INO OFF N            N bytes of file INO from OFF. A chunk read while the file was being
//                          truncated is padded with NULs to N; a T record follows it then.
//   G INO OFF N            the whole lines in [OFF, OFF+N) of INO that match the host filter
//   C INO FROM N           N bytes from FROM of INO, a copy of our file made before it was
//                          truncated (copytruncate rotation; INO is gz for a gzipped copy, read
//                          through gzip -dc); it starts 256 bytes (or fewer) before the resume
//                          offset so the client can check it is the right copy
//   V INO FROM N           N bytes before the resume offset, to check the file was not truncated
//                          and refilled past that offset while nobody followed it
//   T INO SIZE OFF         INO shrank to SIZE below OFF: the script exits, the client restarts
//                          it at its last complete line
//   L INO OFF              INO was rotated away while nobody followed it and is gone
//   M                      the path does not exist (any more); waiting for it
//   W nohostfilter         grep rejected the filter; the client filters alone
//   E denied | E notfile   the path cannot be read; the script exits 3
//   H                      heartbeat while idle, so a stalled connection is noticed
import { shellWord } from '../util/shell';

export interface FollowScriptArgs {
  /** Absolute, relative to the login directory, or `~/…` for the ssh user's home. */
  path: string;
  /** The file to resume (inode), or '' to start with whatever the path is. */
  inode: string;
  /** Byte offset to resume at, or undefined to start with the last `lines` lines. */
  offset?: number;
  lines: number;
  /** grep options for a host-side filter (e.g. ['-F', '-i']), or undefined for none. */
  grep?: { options: string[]; pattern: string };
  pollSeconds: number;
  /** Idle polls between heartbeats. */
  heartbeatPolls: number;
  /** The file was truncated since `offset` (a V check failed): drain its rotated copy. */
  truncated?: boolean;
}

// `${'$'}{` in the script is sh's `${`, which the template would otherwise take for its own.
const followScript = String.raw`set -f
LC_ALL=C; export LC_ALL
p=$1 ino=$2 off=$3 nlines=$4 gopts=$5 pat=$6 poll=$7 hbn=$8 trunc=$9
case $p in "~/"*) p=$HOME/${'$'}{p#"~/"} ;; esac
CH=67108864 FCH=1048576
say() { printf '%s\n' "$*"; }
idof() { set -- $(ls -Lind -- "$1" 2>/dev/null); [ $# -ge 6 ] && printf '%s %s' "$1" "$6"; }
ddx=; dd if=/dev/null iflag=skip_bytes,count_bytes count=0 2>/dev/null && ddx=1
pad() {
  if [ -n "$ddx" ]; then
    { r=$(dd if="$1" bs=32768 iflag=skip_bytes,count_bytes skip=$2 count=$3 2>&1 >&5); } 5>&1
    got=0 prev=
    for w in $r; do case $w in byte|bytes) got=$prev ;; esac; prev=$w; done
    [ "$got" -lt $3 ] 2>/dev/null && head -c $(($3-got)) /dev/zero
  else
    { tail -c +$(($2+1)) -- "$1" | head -c $3; cat /dev/zero; } 2>/dev/null | head -c $3
  fi
}
openf() {
  exec 3<&-
  if [ ! -e "$p" ]; then
    d=$(dirname -- "$p"); [ -d "$d" ] && [ ! -x "$d" ] && { say "E denied"; exit 3; }
    return 1
  fi
  [ -d "$p" ] && { say "E notfile"; exit 3; }
  [ -r "$p" ] || { say "E denied"; exit 3; }
  command exec 3<"$p" || { say "E denied"; exit 3; }
  set -- $(idof /dev/fd/3); ino=$1 size=$2
}
waitfor() {
  m=0 i=0
  until openf; do
    [ $m = 1 ] || { say M; m=1; }
    sleep $poll; i=$((i+1)); [ $i -ge $hbn ] && { say H; i=0; }
  done
}
ga=-a; printf 'x\n' | grep -a x >/dev/null 2>&1 || ga=
if [ -n "$gopts" ]; then
  printf 'x\n' | grep $gopts -e "$pat" >/dev/null 2>&1
  [ $? -le 1 ] || { say "W nohostfilter"; gopts=; }
fi
if [ -z "$ino" ]; then
  waitfor
  if [ $m = 1 ]; then off=0; say "O created $ino $size 0"
  elif [ -z "$off" ]; then
    w=8388608; [ $size -lt $w ] && w=$size
    b=$(( $(pad /dev/fd/3 $((size-w)) $w | tail -n $nlines | wc -c) ))
    off=$((size-b)); say "O start $ino $size $off"
  else
    say "O created $ino $size $off"
  fi
else
  want=$ino; [ -n "$off" ] || off=0
  set -- $(idof "$p")
  if [ "$1" = "$want" ] && openf; then
    K=256; [ $off -lt $K ] && K=$off
    if [ $size -lt $off ] || [ -n "$trunc" ]; then
      set +f; cands=$(ls -t -- "$p".1 "$p".1.gz "$p"-* 2>/dev/null | head -n 2); set -f
      IFS='
'
      for c in $cands; do
        unset IFS
        case $c in
        *.gz)
          command -v gzip >/dev/null 2>&1 || continue
          n=$(gzip -dc -- "$c" 2>/dev/null | wc -c); [ $n -ge $off ] || continue
          say "C gz $((off-K)) $((n-off+K))"
          { gzip -dc -- "$c" | tail -c +$((off-K+1)); cat /dev/zero; } 2>/dev/null | head -c $((n-off+K)) ;;
        *)
          set -- $(idof "$c")
          [ $# = 2 ] && [ "$1" != "$ino" ] && [ $2 -ge $off ] || continue
          say "C $1 $((off-K)) $(($2-off+K))"; pad "$c" $((off-K)) $(($2-off+K)) ;;
        esac
      done
      unset IFS
      off=0; set -- $(idof /dev/fd/3); say "O truncated $ino $2 0"
    else
      say "V $ino $((off-K)) $K"; pad /dev/fd/3 $((off-K)) $K
      say "O resume $ino $size $off"
    fi
  else
    found=
    set +f; cands=$(ls -- "$p".1 "$p".0 "$p"-* 2>/dev/null); set -f
    IFS='
'
    for c in $cands; do
      unset IFS; set -- $(idof "$c")
      if [ "$1" = "$want" ] && [ $2 -ge $off ] && [ -r "$c" ] && command exec 3<"$c"; then found=1; break; fi
    done
    unset IFS
    if [ -n "$found" ]; then
      ino=$want; set -- $(idof /dev/fd/3); say "O resume $ino $2 $off"
    else
      say "L $want $off"; off=0; waitfor; say "O rotated $ino $size 0"
    fi
  fi
fi
rot=0 idle=0
while :; do
  if [ -n "$ino" ]; then
    set -- $(idof /dev/fd/3); sz=0; [ $# = 2 ] && sz=$2
    [ $sz -lt $off ] && { say "T $ino $sz $off"; exit 0; }
    if [ $sz -gt $off ]; then
      n=$((sz-off))
      if [ -z "$gopts" ]; then
        [ $n -gt $CH ] && n=$CH
        say "D $ino $off $n"; pad /dev/fd/3 $off $n
      else
        [ $n -gt $FCH ] && n=$FCH
        if [ $(( $(tail -c +$((off+n)) /dev/fd/3 | head -c 1 | wc -l) )) = 0 ]; then
          w=65536; [ $n -lt $w ] && w=$n
          pl=$(( $(tail -c +$((off+n-w+1)) /dev/fd/3 | head -c $w | tail -n 1 | wc -c) ))
          { [ $pl -lt $w ] || [ $w = $n ]; } && n=$((n-pl))
        fi
        if [ $n -gt 0 ]; then
          say "G $ino $off $n"
          tail -c +$((off+1)) /dev/fd/3 2>/dev/null | head -c $n | grep $ga -n $gopts -e "$pat"
        fi
      fi
      if [ $n -gt 0 ]; then
        off=$((off+n))
        set -- $(idof /dev/fd/3); sz=0; [ $# = 2 ] && sz=$2
        [ $sz -lt $off ] && { say "T $ino $sz $off"; exit 0; }
        [ -n "$gopts" ] && say .
        idle=0; continue
      fi
    fi
  fi
  set -- $(idof "$p")
  if [ "$1" != "$ino" ]; then
    if [ $rot = 1 ]; then
      rot=0 r=rotated; [ -z "$ino" ] && r=created
      if [ -n "$1" ] && openf; then off=0; say "O $r $ino $size 0"; continue; fi
      if [ -n "$ino" ]; then say M; exec 3<&-; ino= off=0; fi
    else
      rot=1
    fi
  else
    rot=0
  fi
  sleep $poll
  idle=$((idle+1)); [ $idle -ge $hbn ] && { say H; idle=0; }
done`;

/** The command line that runs the follower script on a host (for RemoteRunner.spawn). */
export function followCommand(args: FollowScriptArgs): string {
  const words = [
    args.path,
    args.inode,
    args.offset === undefined ? '' : String(args.offset),
    String(args.lines),
    args.grep ? args.grep.options.join(' ') : '',
    args.grep ? args.grep.pattern : '',
    String(args.pollSeconds),
    String(args.heartbeatPolls),
    args.truncated ? '1' : '',
  ];
  return `sh -c ${shellWord(followScript)} firefighter-tail ${words.map(shellWord).join(' ')}`;
}
