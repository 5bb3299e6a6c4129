// `firefighter traces [--map REMOTE=LOCAL]... [--root DIR] [--json] < TEXT`: finds the stack traces
// in its input, maps each frame to a local file, and prints one trace per block (text) or line (JSON).
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import {
  FrameMapper,
  type FrameMapping,
  indexDirectory,
  type PathMappingRule,
  type StackFrame,
  type StackTrace,
  TraceScanner,
} from '../core/traces';
import type { EventPublisher } from '../core/events';
import { noEvents } from '../core/events';
import { RELATION_LABELS } from '../core/traces/labels';
import { publishTraceAnalysed } from '../core/traces/traceEvents';
import { type CliCommand, ExitCode, UsageError } from './command';

const USAGE = 'usage: firefighter traces [--map REMOTE=LOCAL]... [--root DIR] [--json] < TEXT';

interface TracesOptions {
  rules: PathMappingRule[];
  root: string | null;
  json: boolean;
  help: boolean;
}

function parseArguments(args: string[], cwd: string): TracesOptions {
  const options: TracesOptions = { rules: [], root: null, json: false, help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = args[++i];
      if (next === undefined) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    if (flag === '--json' && inline === undefined) options.json = true;
    else if ((flag === '--help' || flag === '-h') && inline === undefined) options.help = true;
    else if (flag === '--root') options.root = path.resolve(cwd, value());
    else if (flag === '--map') {
      const mapping = value();
      const eq = mapping.indexOf('=');
      if (eq <= 0 || eq === mapping.length - 1) throw new UsageError(`--map needs REMOTE=LOCAL, got "${mapping}"`);
      options.rules.push({ remoteRoot: mapping.slice(0, eq), localRoot: path.resolve(cwd, mapping.slice(eq + 1)) });
    } else throw new UsageError(`unknown argument "${arg}"`);
  }
  return options;
}

export interface TracesCommandOptions {
  /** Each trace found is published as trace.analysed (the CLI's --events FILE). */
  events?: EventPublisher;
}

export function makeTracesCommand({ events = noEvents }: TracesCommandOptions = {}): CliCommand {
  return (args, io) => runTraces(args, io, events);
}

export const traces: CliCommand = makeTracesCommand();

async function runTraces(args: string[], io: Parameters<CliCommand>[1], events: EventPublisher): Promise<number> {
  const cwd = process.cwd();
  let options: TracesOptions;
  try {
    options = parseArguments(args, cwd);
    if (options.root !== null && !(await isDirectory(options.root))) {
      throw new UsageError(`--root ${options.root} is not a directory`);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`firefighter traces: ${error.message}\n${USAGE}\n`);
    return ExitCode.usage;
  }
  if (options.help) {
    io.stdout.write(`${USAGE}\nReads text on stdin and prints each stack trace found, with frames mapped to local files.\n`);
    return ExitCode.ok;
  }
  const index = options.root === null ? undefined : await indexDirectory(options.root);
  const mapper = new FrameMapper({ index, rules: options.rules });
  const scanner = new TraceScanner();
  const decoder = new StringDecoder('utf8');
  let printed = 0;
  const print = async (found: StackTrace[]) => {
    for (const trace of found) {
      const mappings = await Promise.all(trace.exceptions.map((e) => Promise.all(e.frames.map((f) => mapper.map(f)))));
      io.stdout.write(options.json ? jsonLine(trace, mappings) : textBlock(trace, mappings, printed === 0));
      publishTraceAnalysed(events, trace, { from: 'stdin' });
      printed++;
    }
  };
  for await (const chunk of io.stdin) {
    if (io.signal.aborted) break;
    await print(scanner.push(typeof chunk === 'string' ? chunk : decoder.write(chunk)));
  }
  const rest = decoder.end();
  if (rest) await print(scanner.push(rest));
  await print(scanner.end());
  return ExitCode.ok;
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

function localPath(mapping: FrameMapping): string | null {
  return mapping.kind === 'mapped' ? (mapping.relativePath ?? mapping.path) : null;
}

function jsonLine(trace: StackTrace, mappings: FrameMapping[][]): string {
  return (
    JSON.stringify({
      language: trace.language,
      fingerprint: trace.fingerprint,
      exceptions: trace.exceptions.map((exception, e) => ({
        type: exception.type,
        message: exception.message,
        relation: exception.relation,
        frames: exception.frames.map((frame, f) => jsonFrame(frame, mappings[e][f])),
      })),
    }) + '\n'
  );
}

function jsonFrame(frame: StackFrame, mapping: FrameMapping): Record<string, unknown> {
  const json: Record<string, unknown> = {
    function: frame.function,
    file: frame.file,
    line: frame.line,
    column: frame.column,
    app: frame.app,
    local: localPath(mapping),
  };
  if (mapping.kind === 'mapped') {
    json.localLine = mapping.line;
    json.localColumn = mapping.column;
  }
  if (mapping.kind === 'ambiguous') json.candidates = mapping.candidates;
  return json;
}

function textBlock(trace: StackTrace, mappings: FrameMapping[][], first: boolean): string {
  const out: string[] = first ? [] : [''];
  out.push(`${trace.language} trace ${trace.fingerprint}`);
  trace.exceptions.forEach((exception, e) => {
    const title = [exception.type, exception.message].filter((part) => part).join(': ') || '(no exception)';
    const label = exception.relation ? `${RELATION_LABELS[exception.relation]}: ` : '';
    out.push(`  ${label}${title.replace(/\n/g, '\n    ')}`);
    exception.frames.forEach((frame, f) => out.push(`    ${textFrame(frame, mappings[e][f])}`));
  });
  return out.join('\n') + '\n';
}

function textFrame(frame: StackFrame, mapping: FrameMapping): string {
  const where = frame.file === null ? '(no file)' : `${frame.file}${position(frame.line, frame.column)}`;
  let target: string;
  if (mapping.kind === 'mapped') target = `-> ${localPath(mapping)}${position(mapping.line, mapping.column)}`;
  else if (mapping.kind === 'ambiguous') target = `(ambiguous: ${mapping.candidates.join(', ')})`;
  else target = '(unmapped)';
  return `${frame.app ? 'app' : 'lib'}  ${frame.function ?? '?'}  ${where}  ${target}`;
}

function position(line: number | null, column: number | null): string {
  if (line === null) return '';
  return column === null ? `:${line}` : `:${line}:${column}`;
}
