// The host side of a log follower: one POSIX sh script per channel, using only ls, dd, tail,
// head, cat, wc, od, tr, sleep, dirname and (for a host-side filter) grep, and gzip/bzip2/xz/zstd
// for a compressed rotated file when the host has them, so it runs on minimal hosts without python.
// Bulk data is streamed by one GNU dd (skip/count in bytes) or, without it, tail|head; never
// line by line through the shell. A read cut short by a truncation is padded with NULs so the
// record keeps its announced length. How rotation is followed: docs/architecture.md, "Logs".
//
// It writes records to stdout (decoded by records.ts). Each record is one ASCII header line; D and
// B are followed by exactly N raw bytes; G is followed by grep's `NUM:line` output lines and ends
// with `.` (or T).
//   O REASON ID SIZE OFF   now reading file ID (an inode, or z for a compressed rotated file, read
//                          whole) of SIZE bytes from byte OFF. REASON: start | resume | created
//                          (the path appeared) | drain (our file, renamed by a rotation) | copy
//                          (a rotated copy holding our bytes: copytruncate, or compressed since) |
//                          next (a rotated file newer than ours) | rotated | truncated (the path
//                          again, from its start, after a rename or a copytruncate)
//   D ID OFF N             N bytes of file ID from OFF. A chunk read while the file was being
//                          truncated is padded with NULs to N; a T record follows it then.
//   G ID OFF N             the whole lines in [OFF, OFF+N) of ID that match the host filter
//   B ID OFF N             the N bytes before OFF+N, where reading stands: the client sends them
//                          back on the next start, to recognise its file wherever rotation put it;
//                          before each D, the client checks them against what it read there (a
//                          file truncated and refilled past our offset between two polls)
//   T ID SIZE OFF          ID shrank to SIZE below OFF: the script exits, the client restarts
//                          it at its last complete line
//   L ID OFF               ID was rotated away while nobody followed it and no file holds its
//                          bytes any more: the rest of it after OFF is lost
//   S LINES                the file has only LINES lines, fewer than `+K` asked to skip
//   M                      the path does not exist (any more); waiting for it
//   W nohostfilter         grep rejected the filter; the client filters alone
//   E denied | E notfile | E special   the path cannot be read (no permission; a directory; a
//                          device, FIFO or /proc or /sys file): the script exits 3
//   H                      heartbeat while idle, so a stalled connection is noticed
import { shellWord } from '../util/shell';

export interface FollowScriptArgs {
  /** Absolute, relative to the login directory, or `~/…` for the ssh user's home. */
  path: string;
  /** The file to resume (inode), or '' to start with whatever the path is. */
  inode: string;
  /**
   * The inode the path itself had when last read (the file being resumed may be a rotated copy of
   * it): the path still having it after the copies are drained means copytruncate.
   */
  live: string;
  /** Byte offset to resume at, or undefined to start as `first` says. */
  offset?: number;
  /** Where a fresh start begins: the last `lines` lines, or from line `fromLine` (1 = the whole file). */
  first: { lines: number } | { fromLine: number };
  /**
   * Up to 256 bytes of the file just before `offset`, as read: the host finds the file by them
   * once a rotation renamed, copied or compressed it.
   */
  tail: Buffer;
  /** grep options for a host-side filter (e.g. ['-F', '-i']), or undefined for none. */
  grep?: { options: string[]; pattern: string };
  pollSeconds: number;
  /** Idle polls between heartbeats. */
  heartbeatPolls: number;
}

// `${'$'}{` in the script is sh's `${`, which the template would otherwise take for its own.
const followScript = String.raw`set -f
LC_ALL=C; export LC_ALL
p=$1 ino=$2 off=$3 first=$4 gopts=$5 pat=$6 poll=$7 hbn=$8 hex=$9 live=${'$'}{10}
case $p in "~/"*) p=$HOME/${'$'}{p#"~/"} ;; esac
CH=67108864 FCH=1048576 NL='
'
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
packed() { case $1 in *.gz|*.bz2|*.xz|*.zst) return 0 ;; esac; return 1; }
unz() {
  case $1 in
  *.gz) gzip -dc -- "$1" ;; *.bz2) bzip2 -dc -- "$1" ;; *.xz) xz -dc -- "$1" ;; *.zst) zstd -dcq -- "$1" ;;
  esac 2>/dev/null
}
unzpad() { { unz "$1" | tail -c +$(($2+1)); cat /dev/zero; } 2>/dev/null | head -c $3; }
hexat() {
  if packed "$1"; then { unz "$1" | tail -c +$(($2+1)) | head -c $3; } 2>/dev/null
  else pad "$1" $2 $3; fi | od -An -v -tx1 | tr -d ' \n'
}
ours() {
  if packed "$1"; then
    [ $K -gt 0 ] && [ "$(hexat "$1" $((off-K)) $K)" = "$hex" ]
  else
    set -- "$1" $(idof "$1"); [ $# = 3 ] && [ $3 -ge $off ] 2>/dev/null || return 1
    if [ $K = 0 ]; then [ "$2" = "$want" ]; else [ "$(hexat "$1" $((off-K)) $K)" = "$hex" ]; fi
  fi
}
rotated() { set +f; ls -td -- "$p".* "$p"-* 2>/dev/null | head -n 16; set -f; }
tailb() {
  k=$1; [ $off -lt $k ] && k=$off
  [ $k -gt 0 ] || return 0
  say "B $ino $((off-k)) $k"
  if [ "$ino" = z ]; then unzpad "$2" $((off-k)) $k; else pad /dev/fd/3 $((off-k)) $k; fi
}
openf() {
  exec 3<&-
  if [ ! -e "$p" ]; then
    d=$(dirname -- "$p"); [ -d "$d" ] && [ ! -x "$d" ] && { say "E denied"; exit 3; }
    return 1
  fi
  [ -d "$p" ] && { say "E notfile"; exit 3; }
  [ -f "$p" ] || { say "E special"; exit 3; }
  case $p in /proc/*|/sys/*) say "E special"; exit 3 ;; esac
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
zfile() {
  n=$(( $(unz "$1" | wc -c) ))
  say "O $2 z $n $off"; ino=z; tailb 256 "$1"
  [ $n -gt $off ] && { say "D z $off $((n-off))"; unzpad "$1" $off $((n-off)); }
}
nextfile() {
  r=$after; [ -z "$ino" ] && r=created
  while [ -n "$chain" ]; do
    f=${'$'}{chain%%"$NL"*}; chain=${'$'}{chain#*"$NL"}
    off=0
    if packed "$f"; then zfile "$f" next
    elif [ -f "$f" ] && command exec 3<"$f" 2>/dev/null; then
      set -- $(idof /dev/fd/3); ino=$1; say "O next $ino $2 0"; return 0
    fi
  done
  after=rotated
  openf || return 1
  off=0; say "O $r $ino $size 0"
}
ga=-a; printf 'x\n' | grep -a x >/dev/null 2>&1 || ga=
if [ -n "$gopts" ]; then
  printf 'x\n' | grep $gopts -e "$pat" >/dev/null 2>&1
  [ $? -le 1 ] || { say "W nohostfilter"; gopts=; }
fi
after=rotated chain=
if [ -z "$ino" ]; then
  waitfor
  if [ $m = 1 ]; then off=0; say "O created $ino $size 0"
  elif [ -n "$off" ]; then say "O created $ino $size $off"; tailb 256
  else
    case $first in
    +*)
      k=$((${'$'}{first#+}-1))
      set -- $(pad /dev/fd/3 0 $size | head -n $k | wc -lc); off=$2
      if [ $1 -lt $k ]; then say "S $1"; off=$(( $(pad /dev/fd/3 0 $size | head -n $1 | wc -c) )); fi ;;
    *)
      w=8388608
      if [ $size -le $w ]; then off=$((size-$(pad /dev/fd/3 0 $size | tail -n $first | wc -c)))
      else
        while :; do
          [ $w -lt $size ] || w=$size
          n=$(( $(pad /dev/fd/3 $((size-w)) $w | wc -l) ))
          [ $w -lt $size ] && [ $n -le $first ] || break
          w=$((w*4))
        done
        off=0; [ $n -gt $first ] && off=$((size-w+$(pad /dev/fd/3 $((size-w)) $w | head -n $((n-first)) | wc -c)))
      fi ;;
    esac
    say "O start $ino $size $off"; tailb 256
  fi
else
  want=$ino K=$((${'$'}{#hex}/2)); [ -n "$off" ] || off=0
  if ours "$p" && openf && [ "$ino" = "$want" ]; then
    say "O resume $ino $size $off"; tailb 256
  else
    set -- $(idof "$p"); { [ "$1" = "$want" ] || [ "$1" = "$live" ]; } && after=truncated
    exec 3<&-; ino=x found=
    IFS=$NL; set -- $(rotated); unset IFS
    for f; do
      [ -f "$f" ] || continue
      say H
      if ours "$f"; then found=$f; break; fi
      chain=$f$NL$chain
    done
    if [ -z "$found" ]; then
      chain=
      [ $after = truncated ] || say "L $want $off"
    elif packed "$found"; then
      zfile "$found" copy
    elif command exec 3<"$found" 2>/dev/null; then
      set -- $(idof /dev/fd/3); ino=$1 r=copy; [ "$ino" = "$want" ] && r=drain
      say "O $r $ino $2 $off"; tailb 256
    fi
    if [ "$ino" = x ] || [ "$ino" = z ]; then
      nextfile || { say M; ino= off=0; }
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
        tailb 16; say "D $ino $off $n"; pad /dev/fd/3 $off $n
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
        [ -n "$gopts" ] && { say .; tailb 256; }
        idle=0; continue
      fi
    fi
  fi
  set -- $(idof "$p")
  if [ "$1" != "$ino" ]; then
    if [ $rot = 1 ]; then
      rot=0
      nextfile && continue
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
    'fromLine' in args.first ? `+${args.first.fromLine}` : String(args.first.lines),
    args.grep ? args.grep.options.join(' ') : '',
    args.grep ? args.grep.pattern : '',
    String(args.pollSeconds),
    String(args.heartbeatPolls),
    args.offset === undefined ? '' : args.tail.subarray(Math.max(0, args.tail.length - Math.min(256, args.offset))).toString('hex'),
    args.live,
  ];
  return `sh -c ${shellWord(followScript)} firefighter-tail ${words.map(shellWord).join(' ')}`;
}
