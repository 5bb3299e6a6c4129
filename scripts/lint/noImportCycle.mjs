// An ESLint rule that fails on an import cycle between the project's own files (docs/architecture.md,
// "Layout"). Type-only imports count too: a cycle of types is still two rooms that cannot be read
// apart. Only relative specifiers are followed (a package cannot import us back); `require` calls
// are not imports here, which is how the lazily loaded bundles stay out of the graph.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts'];

/** A file's relative import specifiers, cached by path and modification time for the editor's long-lived ESLint. */
const parsed = new Map();

function importsOf(file) {
  let mtimeMs;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return [];
  }
  const cached = parsed.get(file);
  if (cached && cached.mtimeMs === mtimeMs) return cached.targets;
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const targets = [];
  for (const statement of source.statements) {
    const specifier = moduleSpecifierOf(statement);
    const target = specifier && resolve(file, specifier);
    if (target) targets.push(target);
  }
  parsed.set(file, { mtimeMs, targets });
  return targets;
}

function moduleSpecifierOf(statement) {
  if (
    (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
    statement.moduleSpecifier &&
    ts.isStringLiteral(statement.moduleSpecifier)
  ) {
    return statement.moduleSpecifier.text;
  }
  return undefined;
}

/** `./x` → x.ts or x/index.ts (and `./x.js` → x.ts, as Node16 resolution writes it); undefined for a package. */
function resolve(from, specifier) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = path.resolve(path.dirname(from), specifier.replace(/\.[cm]?js$/, ''));
  for (const candidate of [...EXTENSIONS.map((ext) => base + ext), ...EXTENSIONS.map((ext) => path.join(base, 'index' + ext))]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** The shortest chain of imports from `start` back to `file`, or undefined when there is none. */
function pathBack(file, start) {
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const current = queue.shift();
    if (current === file) {
      const chain = [];
      for (let at = current; at !== undefined; at = previous.get(at)) chain.unshift(at);
      return chain;
    }
    for (const next of importsOf(current)) {
      if (!previous.has(next)) {
        previous.set(next, current);
        queue.push(next);
      }
    }
  }
  return undefined;
}

export const noImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid an import that leads back to the importing file.' },
    messages: {
      cycle: 'Import cycle: {{chain}}. Move what both need into a third file, or invert the dependency (docs/architecture.md, "Layout").',
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const root = context.cwd;
    return {
      'ImportDeclaration, ExportNamedDeclaration, ExportAllDeclaration'(node) {
        if (!node.source || typeof node.source.value !== 'string') return;
        const target = resolve(file, node.source.value);
        if (!target) return;
        const chain = pathBack(file, target);
        if (!chain) return;
        const shown = [file, ...chain].map((f) => path.relative(root, f)).join(' → ');
        context.report({ node: node.source, messageId: 'cycle', data: { chain: shown } });
      },
    };
  },
};

export default { rules: { 'no-import-cycle': noImportCycle } };
