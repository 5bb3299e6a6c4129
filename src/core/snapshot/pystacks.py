# Reads every thread's Python stack of a live CPython 3.9-3.13 process from outside, without
# stopping it: the interpreter's thread states and frames are read through /proc/PID/mem, using
# the interpreter's own struct layout. 3.13+ publishes it (_Py_DebugOffsets at the start of
# _PyRuntime); for 3.9-3.12 the offsets below were computed from each version's own headers
# (test/fixtures/snapshot/python/offsets.c). Standard library only, never writes to the target.
# The file is sent in parts (the `# @@part NAME` lines): a snapshot gets every part but `sample`,
# which a sampling run adds. Modes (arguments after the script):
#   PID                  one snapshot, printed as one JSON object (the script read from stdin)
#   PID serve [IDLE]     a snapshot for each line read from stdin, one JSON line each, the target
#                        resolved once; ends when stdin ends (the channel closed) or after IDLE
#                        seconds without a request
#   PID sample SECONDS HZ MAX_STACKS [idle]   samples on the host and prints the counts per
#                        distinct stack at the end, ending at once when stdin ends
# In the last two, the script itself is the first bytes of stdin (see python.ts, bootCommand).
# Only cheap modules are imported (json and re alone cost an interpreter start's worth).
# See docs/architecture.md, "Snapshots: CPython".
# @@part core
import bisect
import os
import struct
import sys
import time

# Compiled from the headers of 3.9.18, 3.10.13, 3.11.7 (also Debian's 3.11.2) and 3.12.1 on x86_64.
LAYOUTS = {
    (3, 9): {'runtime.interpreters_head': 32, 'interp.threads_head': 8, 'interp.next': 0, 'tstate.next': 8,
             'tstate.thread_id': 176, 'tstate.frame': 24, 'frame.back': 24, 'frame.code': 32, 'frame.lasti': 104,
             'code.linetable': 120, 'code.filename': 104, 'code.name': 112, 'code.firstlineno': 40,
             'unicode.state': 32, 'unicode.length': 16, 'unicode.ascii_size': 48, 'unicode.compact_size': 72,
             'bytes.size': 16, 'bytes.sval': 32},
    (3, 10): {'runtime.interpreters_head': 32, 'interp.threads_head': 8, 'interp.next': 0, 'tstate.next': 8,
              'tstate.thread_id': 176, 'tstate.frame': 24, 'frame.back': 24, 'frame.code': 32, 'frame.lasti': 96,
              'code.linetable': 120, 'code.filename': 104, 'code.name': 112, 'code.firstlineno': 40,
              'unicode.state': 32, 'unicode.length': 16, 'unicode.ascii_size': 48, 'unicode.compact_size': 72,
              'bytes.size': 16, 'bytes.sval': 32},
    (3, 11): {'runtime.interpreters_head': 40, 'interp.threads_head': 16, 'interp.next': 0, 'tstate.next': 8,
              'tstate.thread_id': 152, 'tstate.native_thread_id': 160, 'tstate.cframe': 56,
              'cframe.current_frame': 8, 'iframe.code': 32, 'iframe.previous': 48, 'iframe.instr': 56,
              'iframe.owner': 69, 'code.qualname': 128, 'code.linetable': 136, 'code.code_adaptive': 184,
              'code.filename': 112, 'code.name': 120, 'code.firstlineno': 72, 'unicode.state': 32,
              'unicode.length': 16, 'unicode.ascii_size': 48, 'unicode.compact_size': 72, 'bytes.size': 16,
              'bytes.sval': 32},
    (3, 12): {'runtime.interpreters_head': 40, 'interp.threads_head': 72, 'interp.next': 0, 'tstate.next': 8,
              'tstate.thread_id': 136, 'tstate.native_thread_id': 144, 'tstate.cframe': 56,
              'cframe.current_frame': 0, 'iframe.code': 0, 'iframe.previous': 8, 'iframe.instr': 56,
              'iframe.owner': 70, 'code.qualname': 128, 'code.linetable': 136, 'code.code_adaptive': 192,
              'code.filename': 112, 'code.name': 120, 'code.firstlineno': 68, 'unicode.state': 32,
              'unicode.length': 16, 'unicode.ascii_size': 40, 'unicode.compact_size': 56, 'bytes.size': 16,
              'bytes.sval': 32},
}

# _Py_DebugOffsets of 3.13 (Include/internal/pycore_runtime.h): after cookie, version and
# free_threaded, groups of uint64 fields, each group starting with its struct's size.
DEBUG_OFFSETS_313 = [
    ('runtime', ['struct_size', 'finalizing', 'interpreters_head']),
    ('interp', ['struct_size', 'id', 'next', 'threads_head', 'gc', 'imports_modules', 'sysdict', 'builtins', 'ceval_gil',
                'gil_runtime_state', 'gil_runtime_state_enabled', 'gil_runtime_state_locked',
                'gil_runtime_state_holder']),
    ('tstate', ['struct_size', 'prev', 'next', 'interp', 'current_frame', 'thread_id', 'native_thread_id',
                'datastack_chunk', 'status']),
    ('iframe', ['struct_size', 'previous', 'code', 'instr', 'localsplus', 'owner']),
    ('code', ['struct_size', 'filename', 'name', 'qualname', 'linetable', 'firstlineno', 'argcount', 'localsplusnames',
              'localspluskinds', 'code_adaptive']),
    ('pyobject', ['struct_size', 'ob_type']),
    ('type', ['struct_size', 'tp_name', 'tp_repr', 'tp_flags']),
    ('tuple', ['struct_size', 'ob_item', 'ob_size']),
    ('list', ['struct_size', 'ob_item', 'ob_size']),
    ('dict', ['struct_size', 'ma_keys', 'ma_values']),
    ('float', ['struct_size', 'ob_fval']),
    ('long', ['struct_size', 'lv_tag', 'ob_digit']),
    ('bytes', ['struct_size', 'size', 'sval']),
    ('unicode', ['struct_size', 'state', 'length', 'ascii_size']),
]

FRAME_OWNED_BY_CSTACK = 3  # 3.12+: the C entry shim, not a Python frame
# Bounds on what one snapshot prints (about 2 MB at most).
MAX_FRAMES = 1024
MAX_TOTAL_FRAMES = 20000
MAX_THREADS = 1024
MAX_TEXT = 4096
WALK_ATTEMPTS = 5
# Bounds of a sampling run: its length, rate, the frames its distinct stacks keep, the code
# objects it remembers (a code object freed and its address reused would be misnamed until then).
MAX_SECONDS = 3600
MAX_HZ = 1000
MAX_STORED_FRAMES = 200000
MAX_CODES = 20000
USAGE = 'usage: python - PID < pystacks.py, or PID serve [IDLE], or PID sample SECONDS HZ MAX_STACKS [idle]'
MAX_IDLE_SECONDS = 86400


class Failure(Exception):
    def __init__(self, kind, message):
        Exception.__init__(self, message)
        self.kind = kind


class Torn(Exception):
    """The target changed under a read (a freed frame, a pointer into nothing): read again."""


class Memory:
    """Reads of the target's memory through /proc/PID/mem, never writes."""

    def __init__(self, pid, regions):
        self.set_regions(regions)
        try:
            self.fd = os.open('/proc/%d/mem' % pid, os.O_RDONLY)
        except FileNotFoundError:
            raise Failure('noProcess', 'process %d does not exist (any more)' % pid)
        except PermissionError:
            raise Failure('permission', 'reading /proc/%d/mem was refused' % pid)

    def set_regions(self, regions):
        self.regions = regions  # sorted (start, end) of readable mappings
        self.starts = [r[0] for r in regions]

    def mapped(self, address, size):
        i = bisect.bisect_right(self.starts, address) - 1
        return i >= 0 and address + size <= self.regions[i][1]

    def read(self, address, size):
        if address <= 0 or not self.mapped(address, size):
            raise Torn()
        try:
            data = os.pread(self.fd, size, address)
        except OSError:
            raise Torn()
        if len(data) != size:
            raise Torn()
        return data

    def pointer(self, address):
        return struct.unpack('<Q', self.read(address, 8))[0]

    def int32(self, address):
        return struct.unpack('<i', self.read(address, 4))[0]


def read_maps(pid):
    try:
        with open('/proc/%d/maps' % pid) as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        raise Failure('noProcess', 'process %d does not exist (any more)' % pid)
    except PermissionError:
        raise Failure('permission', 'reading /proc/%d/maps was refused' % pid)
    maps = []
    for line in lines:
        parts = line.split(None, 5)
        start, end = (int(x, 16) for x in parts[0].split('-'))
        path = parts[5] if len(parts) > 5 else ''
        maps.append((start, end, parts[1], int(parts[2], 16), path))
    return maps


RUNTIME_SYMBOLS = ('_PyRuntime', 'Py_Version', 'PyCode_Type', 'PyFrame_Type', 'PyUnicode_Type', 'PyBytes_Type')


def elf_symbols(f, wanted):
    """(is a fixed-address executable, lowest PT_LOAD address, {name: address}) of the wanted
    symbols of one 64-bit little-endian ELF file; reads only its headers and symbol tables."""
    header = f.read(64)
    if header[:6] != b'\x7fELF\x02\x01':
        return None
    e_type, = struct.unpack_from('<H', header, 16)
    phoff, shoff = struct.unpack_from('<QQ', header, 32)
    phentsize, phnum, shentsize, shnum = struct.unpack_from('<HHHH', header, 54)

    def chunk(offset, size):
        f.seek(offset)
        return f.read(size)

    programs = chunk(phoff, phentsize * phnum)
    loads = [struct.unpack_from('<IIQQ', programs, i * phentsize) for i in range(phnum)]
    first_load = min([p[3] for p in loads if p[0] == 1] or [0])
    sections = [struct.unpack_from('<IIQQQQIIQQ', chunk(shoff + i * shentsize, 64)) for i in range(shnum)]
    found = {}
    # the exported symbols (DYNSYM, small) first; the full SYMTAB (large) only when the runtime
    # is not among them (a build without exported symbols)
    for sh in sorted((sh for sh in sections if sh[1] in (2, 11)), key=lambda sh: sh[1] != 11):
        if sh[6] >= len(sections) or '_PyRuntime' in found:
            break
        strings = chunk(sections[sh[6]][4], sections[sh[6]][5])
        # names by their offset in the string table (a linker may store one as another's suffix)
        offsets = {}
        for name in wanted:
            if name in found:
                continue
            key = name.encode() + b'\0'
            at = strings.find(key)
            while at >= 0:
                offsets[at] = name
                at = strings.find(key, at + 1)
        if not offsets:
            continue
        table = chunk(sh[4], sh[5] // 24 * 24)
        for at, name in offsets.items():
            # a symbol entry (24 bytes) starts with its name's offset: find it at C speed
            key = struct.pack('<I', at)
            pos = table.find(key)
            while pos >= 0:
                if pos % 24 == 0:
                    _, _, _, st_shndx, st_value, _ = struct.unpack_from('<IBBHQQ', table, pos)
                    if st_shndx != 0 and st_value != 0:
                        found.setdefault(name, st_value)
                        break
                pos = table.find(key, pos + 1)
    return e_type == 2, first_load, found


def find_runtime(pid, maps):
    """The file among the target's mappings that defines _PyRuntime, and where its symbols are."""
    try:
        exe = os.readlink('/proc/%d/exe' % pid)
    except OSError:
        exe = None
    paths = []
    for _, _, _, _, path in maps:
        if path.startswith('/') and path not in paths and (path == exe or 'libpython3' in path):
            paths.append(path)
    # a shared libpython defines it rather than the executable that loads it
    for path in sorted(paths, key=lambda p: 'libpython3' not in p):
        for where in ('/proc/%d/root%s' % (pid, path), path):
            try:
                with open(where, 'rb') as f:
                    elf = elf_symbols(f, RUNTIME_SYMBOLS)
                break
            except (OSError, struct.error):
                elf = None
        if not elf or '_PyRuntime' not in elf[2]:
            continue
        fixed, first_load, symbols = elf
        base = 0 if fixed else min(m[0] - m[3] for m in maps if m[4] == path) - first_load // 4096 * 4096
        return path, {name: base + value for name, value in symbols.items()}
    raise Failure('notPython', 'no python binary or libpython mapped in process %d defines _PyRuntime' % pid)


def target_version(pid, memory, path, symbols):
    if 'Py_Version' in symbols:
        hexversion = struct.unpack('<Q', memory.read(symbols['Py_Version'], 8))[0] & 0xFFFFFFFF
        return (hexversion >> 24, (hexversion >> 16) & 0xFF, (hexversion >> 8) & 0xFF)
    found = version_in_name(path)
    if found:
        return found
    if os.path.realpath(path) == os.path.realpath(sys.executable) or pid == os.getpid():
        return tuple(sys.version_info[:3])
    raise Failure('unsupported', 'cannot tell the Python version of process %d (%s)' % (pid, path))


def version_in_name(path):
    """(3, 11, None) from a path holding `python3.11` (as `libpython3.11.so.1.0`), else None."""
    digits = '0123456789'
    at = path.find('python')
    while at >= 0:
        rest = path[at + 6:]
        if len(rest) > 2 and rest[0] in digits and rest[1] == '.' and rest[2] in digits:
            end = 2
            while end < len(rest) and rest[end] in digits:
                end += 1
            return (int(rest[0]), int(rest[2:end]), None)
        at = path.find('python', at + 1)
    return None


def layout_of(version, memory, symbols):
    major_minor = version[:2]
    if major_minor in LAYOUTS:
        return dict(LAYOUTS[major_minor])
    if major_minor != (3, 13):
        raise Failure('unsupported', 'CPython %d.%d is not supported (3.9 to 3.13 are)' % major_minor)
    runtime = symbols['_PyRuntime']
    head = memory.read(runtime, 24)
    if head[:8] != b'xdebugpy':
        raise Failure('unsupported', 'the _Py_DebugOffsets of this CPython %d.%d are missing' % major_minor)
    count = sum(len(fields) for _, fields in DEBUG_OFFSETS_313)
    values = struct.unpack('<%dQ' % count, memory.read(runtime + 24, 8 * count))
    layout = {}
    i = 0
    for group, fields in DEBUG_OFFSETS_313:
        for field in fields:
            layout[group + '.' + field] = values[i]
            i += 1
    layout['unicode.compact_size'] = layout['unicode.ascii_size'] + 16
    layout['free_threaded'] = struct.unpack_from('<Q', head, 16)[0]
    return layout


class Reader:
    def __init__(self, memory, layout, version, symbols):
        self.memory = memory
        self.layout = layout
        self.version = version[:2]
        self.symbols = symbols
        self.ob_type = layout.get('pyobject.ob_type', 8)
        self.codes = {}

    def is_instance(self, address, type_name):
        return self.memory.pointer(address + self.ob_type) == self.symbols[type_name]

    def text(self, address):
        L = self.layout
        if not self.is_instance(address, 'PyUnicode_Type'):
            raise Torn()
        length = struct.unpack('<q', self.memory.read(address + L['unicode.length'], 8))[0]
        state = self.memory.int32(address + L['unicode.state'])
        kind, compact, ascii = (state >> 2) & 7, (state >> 5) & 1, (state >> 6) & 1
        if not compact or kind not in (1, 2, 4) or length < 0:
            raise Torn()
        length = min(length, MAX_TEXT)
        data = self.memory.read(address + (L['unicode.ascii_size'] if ascii else L['unicode.compact_size']),
                                length * kind)
        return data.decode({1: 'latin-1', 2: 'utf-16-le', 4: 'utf-32-le'}[kind], 'replace')

    def bytes_of(self, address):
        L = self.layout
        if not self.is_instance(address, 'PyBytes_Type'):
            raise Torn()
        size = struct.unpack('<q', self.memory.read(address + L['bytes.size'], 8))[0]
        if size < 0 or size > 1 << 24:
            raise Torn()
        return self.memory.read(address + L['bytes.sval'], size) if size else b''

    def code(self, address):
        """(function, file, first line, line table) of a code object, cached by address."""
        if address in self.codes:
            return self.codes[address]
        L = self.layout
        if not self.is_instance(address, 'PyCode_Type'):
            raise Torn()
        name_field = 'code.qualname' if 'code.qualname' in L else 'code.name'
        code = (self.text(self.memory.pointer(address + L[name_field])),
                self.text(self.memory.pointer(address + L['code.filename'])),
                self.memory.int32(address + L['code.firstlineno']),
                self.bytes_of(self.memory.pointer(address + L['code.linetable'])))
        self.codes[address] = code
        return code

    def frame(self, code_address, position):
        """One output frame: position is f_lasti (3.9, 3.10) or the instruction pointer (3.11+)."""
        function, filename, first_line, table = self.code(code_address)
        if self.version >= (3, 11):
            index = max(0, (position - (code_address + self.layout['code.code_adaptive'])) // 2)
            line = line_311(table, first_line, index)
        elif self.version == (3, 10):
            line = line_310(table, first_line, max(0, position) * 2)
        else:
            line = line_39(table, first_line, max(0, position))
        return (function, filename, line)

    def top_frame(self, tstate):
        L = self.layout
        if self.version >= (3, 13):
            return self.memory.pointer(tstate + L['tstate.current_frame'])
        if self.version >= (3, 11):
            cframe = self.memory.pointer(tstate + L['tstate.cframe'])
            return self.memory.pointer(cframe + L['cframe.current_frame']) if cframe else 0
        return self.memory.pointer(tstate + L['tstate.frame'])

    def walk(self, tstate, limit):
        """The thread's frames, innermost first, at most `limit`, and their addresses; raises Torn
        when the chain breaks under the read."""
        L = self.layout
        frames, addresses, chain = [], set(), []
        address = self.top_frame(tstate)
        while address and len(frames) < limit:
            addresses.add(address)
            chain.append(address)
            if self.version >= (3, 11):
                raw = self.memory.read(address, max(L['iframe.code'], L['iframe.previous'], L['iframe.instr']) + 8)
                owner = self.memory.read(address + L['iframe.owner'], 1)[0]
                code, previous, instr = (struct.unpack_from('<Q', raw, L[k])[0]
                                         for k in ('iframe.code', 'iframe.previous', 'iframe.instr'))
                chain.append(code)
                if not (self.version >= (3, 12) and owner == FRAME_OWNED_BY_CSTACK):
                    # 3.13 frames may run something other than a code object (a trampoline): skip those
                    if self.version < (3, 13) or self.is_instance(code, 'PyCode_Type'):
                        frames.append(self.frame(code, instr))
                address = previous
            else:
                if not self.is_instance(address, 'PyFrame_Type'):
                    raise Torn()
                code = self.memory.pointer(address + L['frame.code'])
                chain.append(code)
                lasti = self.memory.int32(address + L['frame.lasti'])
                frames.append(self.frame(code, lasti))
                address = self.memory.pointer(address + L['frame.back'])
        return frames, addresses, chain

    def thread(self, tstate, limit):
        """Walks until two walks in a row see the same chain (frame addresses and code objects) with
        the innermost frame unmoved: a frame freed and reused under one walk can cut the chain short
        without breaking it. Lines may differ between the two (a busy thread moves on). Never
        agreeing: the last walk, marked incomplete."""
        frames, addresses, previous = [], set(), None
        for _ in range(WALK_ATTEMPTS):
            try:
                top = self.top_frame(tstate)
                frames, addresses, chain = self.walk(tstate, limit)
            except Torn:
                previous = None
                continue
            if self.top_frame(tstate) != top:
                previous = None
                continue
            if chain == previous:
                return frames, addresses, True
            previous = chain
        return frames, addresses, False

    def thread_states(self, runtime):
        L = self.layout
        states = []
        interp = self.memory.pointer(runtime + L['runtime.interpreters_head'])
        interpreters = 0
        while interp and interpreters < 64:
            tstate = self.memory.pointer(interp + L['interp.threads_head'])
            while tstate and len(states) < MAX_THREADS:
                states.append(tstate)
                tstate = self.memory.pointer(tstate + L['tstate.next'])
            interp = self.memory.pointer(interp + L['interp.next'])
            interpreters += 1
        return states

    def native_id(self, tstate, tid_offset):
        L = self.layout
        if 'tstate.native_thread_id' in L:
            return struct.unpack('<q', self.memory.read(tstate + L['tstate.native_thread_id'], 8))[0]
        pthread = self.memory.pointer(tstate + L['tstate.thread_id'])
        if tid_offset is None:
            return None
        return self.memory.int32(pthread + tid_offset)


def svarint(value):
    return -(value >> 1) if value & 1 else value >> 1


def line_311(table, line, index):
    """Line of code unit `index` in a 3.11+ location table (Objects/locations.md)."""
    pos, address = 0, 0

    def varint():
        nonlocal pos
        value, shift = 0, 0
        while True:
            byte = table[pos]
            pos += 1
            value |= (byte & 63) << shift
            shift += 6
            if not byte & 64:
                return value

    while pos < len(table):
        byte = table[pos]
        pos += 1
        kind, length = (byte >> 3) & 15, (byte & 7) + 1
        here = line
        if kind == 15:
            here = None
        elif kind == 14:
            line += svarint(varint())
            here = line
            varint(), varint(), varint()
        elif kind == 13:
            line += svarint(varint())
            here = line
        elif kind >= 10:
            line += kind - 10
            here = line
            pos += 2
        else:
            pos += 1
        if address <= index < address + length:
            return here
        address += length
    return None


def line_310(table, line, offset):
    """Line of byte `offset` in a 3.10 co_linetable: (length, signed line delta or -128) pairs."""
    start = 0
    for i in range(0, len(table) - 1, 2):
        end = start + table[i]
        delta = struct.unpack_from('<b', table, i + 1)[0]
        here = None
        if delta != -128:
            line += delta
            here = line
        if start <= offset < end:
            return here
        start = end
    return None


def line_39(table, line, offset):
    """Line of byte `offset` in a 3.9 co_lnotab: (address delta, signed line delta) pairs."""
    address = 0
    for i in range(0, len(table) - 1, 2):
        address += table[i]
        if address > offset:
            break
        line += struct.unpack_from('<b', table, i + 1)[0]
    return line


def pthread_tid_offset():
    """Where glibc keeps a thread's TID in its struct pthread (needed before 3.11, whose thread
    states hold only pthread_self()): found in this process, which runs the same libc, as the
    offset that holds the TID for two threads."""
    import threading  # only here (before 3.11) and when sampling: its import is not free
    found = {}

    def probe():
        ident, tid = threading.get_ident(), threading.get_native_id()
        try:
            fd = os.open('/proc/self/mem', os.O_RDONLY)
            try:
                data = os.pread(fd, 2048, ident)
            finally:
                os.close(fd)
        except OSError:
            data = b''
        found[ident] = {off for off in range(0, len(data) - 3, 4) if struct.unpack_from('<i', data, off)[0] == tid}

    probe()
    helper = threading.Thread(target=probe)
    helper.start()
    helper.join()
    common = set.intersection(*found.values()) if len(found) == 2 else set()
    return min(common) if common else None


def thread_name(pid, tid):
    """The main thread's `MainThread` (threading's name for it); any other thread's name as the
    kernel has it (/proc/PID/task/TID/comm: the program's name unless the thread set its own).
    threading's names of other threads are not read: they live in Thread objects' instance dicts,
    whose layout (split keys, managed and inline values) changes with every version 3.9-3.13
    and is not among the offsets 3.13 publishes."""
    if tid == pid:
        return 'MainThread'
    try:
        with open('/proc/%d/task/%d/comm' % (pid, tid), 'rb') as f:
            comm = f.read(64).strip().decode('utf-8', 'replace')
    except OSError:
        return None
    return comm or None


class Target:
    """A process opened for reading: its runtime found and its layout resolved once, so that a
    sampling run reads only the thread states and frames at each tick."""

    def __init__(self, pid):
        self.pid = pid
        maps = read_maps(pid)
        self.path, self.symbols = find_runtime(pid, maps)
        self.memory = Memory(pid, readable_regions(maps))
        self.version = target_version(pid, self.memory, self.path, self.symbols)
        missing = [s for s in ('PyCode_Type', 'PyUnicode_Type', 'PyBytes_Type') if s not in self.symbols]
        if self.version[:2] < (3, 11) and 'PyFrame_Type' not in self.symbols:
            missing.append('PyFrame_Type')
        if missing:
            raise Failure('unsupported', '%s defines no %s' % (self.path, ', '.join(missing)))
        layout = layout_of(self.version, self.memory, self.symbols)
        self.reader = Reader(self.memory, layout, self.version, self.symbols)
        self.tid_offset = pthread_tid_offset() if 'tstate.native_thread_id' not in layout else None

    def version_text(self):
        return '.'.join(str(v) for v in self.version if v is not None)

    def remap(self):
        """Reads the mappings again: the heap grows into new ones while a sampling run reads."""
        self.memory.set_regions(readable_regions(read_maps(self.pid)))

    def threads(self, names=True, wanted=None):
        """Every thread's stack now: (tid, name, frames, complete), the main thread first. With
        `wanted`, only the threads for whose TID it answers true are walked (and it alone tells
        whether the thread still exists)."""
        pid, reader = self.pid, self.reader
        for attempt in range(WALK_ATTEMPTS):
            try:
                states = reader.thread_states(self.symbols['_PyRuntime'])
                break
            except Torn:
                # a thread state freed while the list was read (a thread ending): read it again
                if attempt == WALK_ATTEMPTS - 1:
                    raise Failure('unreadable', 'the thread list of process %d kept changing under the read (the '
                                                'interpreter is starting or exiting); try again' % pid)
        ids = {}
        for tstate in states:
            try:
                ids[tstate] = reader.native_id(tstate, self.tid_offset)
            except Torn:
                ids[tstate] = None
        budget = MAX_TOTAL_FRAMES
        walked = set()
        threads = []
        # The main thread first: a frame seen in two threads is live in the first one read.
        for tstate in sorted(states, key=lambda state: ids[state] != pid):
            tid = ids[tstate]
            if wanted is not None:
                if not wanted(tid):
                    continue
            elif tid and not os.path.exists('/proc/%d/task/%d' % (pid, tid)):
                continue  # a thread that has ended and whose state is not yet freed
            frames, addresses, complete = reader.thread(tstate, min(MAX_FRAMES, budget))
            if (not tid and not frames) or addresses & walked:
                # an ending thread (glibc clears its TID), or a stale state whose frame memory
                # another thread now uses
                continue
            walked |= addresses
            budget -= len(frames)
            name = thread_name(pid, tid) if tid and names else None
            threads.append((tid, name, frames, complete))
        return threads


def readable_regions(maps):
    return sorted((m[0], m[1]) for m in maps if m[2].startswith('r'))


def snapshot(pid, target=None):
    """One snapshot as a JSON-ready dict, and the Target it read (resolved once, then reused by a
    serving reader: its mappings read again and its code cache dropped, since a code object
    freed since the last snapshot may have had its address reused)."""
    started = time.time()
    clock = time.perf_counter()
    if target is None:
        target = Target(pid)
    else:
        target.remap()
        target.reader.codes.clear()
    threads = []
    for tid, name, frames, complete in target.threads():
        thread = {'id': tid, 'name': name, 'frames': [frame_json(f) for f in frames]}
        if not complete:
            thread['incomplete'] = True
        threads.append(thread)
    threads.sort(key=lambda t: (t['id'] is None, t['id']))
    read_ms = (time.perf_counter() - clock) * 1000
    return {'ok': True, 'version': target.version_text(), 'takenAt': int(started * 1000), 'readMs': round(read_ms, 3),
            'threads': threads}, target


def frame_json(frame):
    return {'function': frame[0], 'file': frame[1], 'line': frame[2]}


# JSON by hand: importing json (and with it re) costs more than reading the stacks.
ESCAPES = {i: '\\u%04x' % i for i in range(32)}
ESCAPES.update({ord('"'): '\\"', ord('\\'): '\\\\'})


def dumps(value):
    if value is None or value is True or value is False:
        return {None: 'null', True: 'true', False: 'false'}[value]
    if isinstance(value, str):
        return '"' + value.translate(ESCAPES) + '"'
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return '{' + ','.join(dumps(str(k)) + ':' + dumps(v) for k, v in value.items()) + '}'
    return '[' + ','.join(dumps(v) for v in value) + ']'


def answer(result, encode=dumps):
    """Writes one JSON line; False when nobody reads any more (the channel closed)."""
    try:
        os.write(1, (encode(result) + '\n').encode('utf-8', 'replace'))
        return True
    except OSError:
        return False


def failure_json(error):
    if isinstance(error, Failure):
        return {'ok': False, 'kind': error.kind, 'message': str(error)}
    # one JSON answer whatever happens, never a traceback
    return {'ok': False, 'kind': 'failed', 'message': 'the reader failed: %s: %s' % (type(error).__name__, error)}


def serve(pid, idle_seconds):
    """Answers a snapshot for each line on stdin until stdin ends or stays quiet `idle_seconds`:
    the process to read is resolved once, so a further snapshot costs only the reading."""
    import select
    try:
        target = Target(pid)  # resolved while the caller waits for its first snapshot anyway
    except Exception:
        target = None  # the first request answers why
    pending = b''
    while True:
        while b'\n' not in pending:
            if not select.select([0], [], [], idle_seconds)[0]:
                return
            chunk = os.read(0, 4096)
            if not chunk:
                return
            pending += chunk
        pending = pending[pending.index(b'\n') + 1:]
        try:
            result, target = snapshot(pid, target)
        except Exception as error:
            result = failure_json(error)
            if isinstance(error, Failure) and error.kind == 'noProcess':
                target = None
        if not answer(result):
            return


# @@part sample
import json  # noqa: E402  a sampling run's answer can be large: the C encoder
import threading  # noqa: E402


def thread_state(pid, tid):
    """The kernel's state letter of a thread (b'R' running or runnable, b'S' sleeping, ...), as
    py-spy tells idle threads; None when the thread has ended."""
    try:
        with open('/proc/%d/task/%d/stat' % (pid, tid), 'rb') as f:
            stat = f.read()
    except OSError:
        return None
    close = stat.rfind(b')')
    return stat[close + 2:close + 3] if close >= 0 else None


def watch_stdin(stop):
    """Ends the run when stdin reaches its end: the channel closed, or the caller asked to stop."""
    def watch():
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        stop.set()
    threading.Thread(target=watch, daemon=True).start()


def sample(pid, seconds, hz, max_stacks, keep_idle):
    """Reads every thread's stack `hz` times a second for `seconds` (or until stdin ends or the
    process exits), counting each distinct stack; at most `max_stacks` distinct ones are kept,
    later new ones are counted in otherStacks. Threads the kernel does not have running are idle:
    not read, only counted in idleStacks, unless keep_idle. See docs/architecture.md, "Snapshots: sampling"."""
    cpu_before = os.times()
    stop = threading.Event()
    watch_stdin(stop)
    target = Target(pid)
    started = time.time()
    begin = time.perf_counter()
    idle = 0

    def wanted(tid):
        # an idle thread is not walked at all: most threads of a service wait most of the time
        nonlocal idle
        if not tid:
            return True  # its TID unreadable: an ending thread, left out after the walk if so
        state = thread_state(pid, tid)
        if state is None:
            return False  # ended, its thread state not yet freed
        if state != b'R' and not keep_idle:
            idle += 1
            return False
        return True

    interval = 1.0 / hz
    deadline = begin + seconds
    counts = {}
    stored_frames = 0
    samples = other = failures = incomplete = 0
    first_failure = None
    ended = 'deadline'
    read_seconds = 0.0
    last_remap = begin
    tick = 0
    while True:
        now = time.perf_counter()
        if stop.is_set():
            ended = 'stdin'
            break
        if now >= deadline and samples:
            break
        # ticks stay on a fixed grid from the start; a read that overran skips the ticks it missed
        due = begin + tick * interval
        if due > now:
            if stop.wait(due - now):
                ended = 'stdin'
                break
        else:
            tick = int((now - begin) / interval)
        tick += 1
        read_start = time.perf_counter()
        torn = False
        try:
            threads = target.threads(names=False, wanted=wanted)
        except Failure as failure:
            threads = []
            torn = True
            failures += 1
            first_failure = first_failure or str(failure)
        samples += 1
        for tid, _, frames, complete in threads:
            if not frames:
                continue
            if not complete:
                incomplete += 1
                torn = True
            key = tuple(frames)
            if key in counts:
                counts[key] += 1
            elif len(counts) < max_stacks and stored_frames + len(key) <= MAX_STORED_FRAMES:
                counts[key] = 1
                stored_frames += len(key)
            else:
                other += 1
        read_seconds += time.perf_counter() - read_start
        if not os.path.exists('/proc/%d' % pid):
            ended = 'exited'
            break
        if torn and time.perf_counter() - last_remap > 0.1 or time.perf_counter() - last_remap > 2:
            try:
                target.remap()
            except Failure:
                ended = 'exited'
                break
            last_remap = time.perf_counter()
        if len(target.reader.codes) > MAX_CODES:
            target.reader.codes.clear()
    cpu = os.times()
    # one table of distinct frames, stacks as indices into it: a small answer for deep stacks
    table, index, stacks = [], {}, []
    for key, count in sorted(counts.items(), key=lambda item: -item[1]):
        ids = []
        for frame in key:
            if frame not in index:
                index[frame] = len(table)
                table.append(list(frame))
            ids.append(index[frame])
        stacks.append({'frames': ids, 'count': count})
    result = {'ok': True, 'version': target.version_text(), 'takenAt': int(started * 1000), 'samples': samples,
              'idleStacks': idle, 'otherStacks': other, 'incompleteStacks': incomplete, 'failures': failures,
              'ended': ended, 'seconds': round(time.perf_counter() - begin, 3), 'readMs': round(read_seconds * 1000, 3),
              'cpuMs': round((cpu[0] + cpu[1] - cpu_before[0] - cpu_before[1]) * 1000, 1),
              'frames': table, 'stacks': stacks}
    if first_failure:
        result['firstFailure'] = first_failure
    return result


# @@part main
def main():
    args = sys.argv[1:]
    try:
        pid = int(args[0])
    except (IndexError, ValueError):
        pid = None
    mode = args[1] if len(args) > 1 else 'snapshot'
    encode = dumps
    try:
        if pid is None or mode not in ('snapshot', 'serve', 'sample'):
            raise Failure('failed', USAGE)
        if mode == 'serve':
            try:
                idle = float(args[2]) if len(args) > 2 else MAX_IDLE_SECONDS
            except ValueError:
                raise Failure('failed', USAGE)
            serve(pid, min(max(idle, 1.0), MAX_IDLE_SECONDS))
            return
        if mode == 'sample':
            try:
                seconds, hz, max_stacks = float(args[2]), float(args[3]), int(args[4])
            except (IndexError, ValueError):
                raise Failure('failed', USAGE)
            if not (0 < seconds <= MAX_SECONDS and 0 < hz <= MAX_HZ and max_stacks > 0):
                raise Failure('failed', 'a sampling run takes 0 to %d seconds at 0 to %d Hz' % (MAX_SECONDS, MAX_HZ))
            encode = json.dumps
            result = sample(pid, seconds, hz, max_stacks, args[5:6] == ['idle'])
        else:
            result = snapshot(pid)[0]
    except Exception as error:
        result = failure_json(error)
    answer(result, encode)


if __name__ == '__main__':
    main()
