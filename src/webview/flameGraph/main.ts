// The flame graph webview: boxes are functions, width is the share of samples, the root at the
// bottom so the hottest code sits on top. Everything from the host is set as text (never HTML).
// Click or Enter on a box or a table row opens the source line.
import type { FlameNode, HotFunction } from '../../core/profile/flame';
import type { FromFlameGraph, ToFlameGraph } from './protocol';

declare function acquireVsCodeApi(): { postMessage(message: FromFlameGraph): void };
const vscode = acquireVsCodeApi();

/** Boxes narrower than this share of the samples are not drawn. */
const MIN_SHARE = 0.002;
const ROW_PX = 20;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share >= 0.1 ? 0 : 1)} %`;
}

function location(file: string | null, line: number | null): string {
  if (!file) return '';
  const base = file.split('/').pop() ?? file;
  return line !== null ? `${base}:${line}` : base;
}

function open(frame: { function: string; file: string | null; line: number | null }): void {
  if (frame.file) vscode.postMessage({ type: 'openFrame', function: frame.function, file: frame.file, line: frame.line });
}

/** Makes an element act as a button for the mouse and the keyboard. */
function actionable(node: HTMLElement, label: string, action: () => void): void {
  node.tabIndex = 0;
  node.setAttribute('role', 'button');
  node.setAttribute('aria-label', label);
  node.addEventListener('click', action);
  node.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      action();
    }
  });
}

function depthOf(node: FlameNode): number {
  let depth = 0;
  for (const child of node.children) depth = Math.max(depth, depthOf(child));
  return depth + 1;
}

function renderFlame(root: FlameNode): HTMLElement {
  const graph = element('div', 'flame');
  graph.setAttribute('role', 'group');
  graph.setAttribute('aria-label', 'Flame graph');
  const rows = depthOf(root);
  graph.style.height = `${rows * ROW_PX}px`;
  const total = root.total || 1;
  const draw = (node: FlameNode, depth: number, start: number): void => {
    const share = node.total / total;
    if (share < MIN_SHARE) return;
    const box = element('div', depth === 0 ? 'box root' : node.frame.file ? 'box' : 'box native');
    box.style.left = `${(start / total) * 100}%`;
    box.style.width = `${share * 100}%`;
    box.style.bottom = `${depth * ROW_PX}px`;
    const where = location(node.frame.file, node.frame.line);
    const label = `${node.frame.function}${where ? ` (${where})` : ''}: ${percent(share)} of samples`;
    box.title = label;
    box.appendChild(element('span', 'name', node.frame.function));
    box.dataset.function = node.frame.function;
    if (depth > 0) actionable(box, label, () => open(node.frame));
    graph.appendChild(box);
    let offset = start;
    for (const child of node.children) {
      draw(child, depth + 1, offset);
      offset += child.total;
    }
  };
  draw(root, 0, 0);
  return graph;
}

function renderTable(hottest: HotFunction[]): HTMLElement {
  const table = element('table', 'hottest');
  const head = element('tr');
  for (const title of ['Function', 'Where', 'Self', 'Total']) head.appendChild(element('th', undefined, title));
  table.appendChild(element('thead')).appendChild(head);
  const body = table.appendChild(element('tbody'));
  for (const row of hottest) {
    const tr = element('tr');
    tr.appendChild(element('td', 'function', row.function));
    tr.appendChild(element('td', 'where', location(row.file, row.line)));
    tr.appendChild(element('td', 'share', percent(row.selfShare)));
    tr.appendChild(element('td', 'share', percent(row.totalShare)));
    if (row.file) actionable(tr, `${row.function}: ${percent(row.selfShare)} self, ${percent(row.totalShare)} total`, () => open(row));
    body.appendChild(tr);
  }
  return table;
}

function render(message: ToFlameGraph): void {
  const app = document.getElementById('app');
  if (!app) return;
  app.replaceChildren();
  app.appendChild(element('h1', undefined, message.title));
  app.appendChild(element('p', 'subtitle', message.subtitle));
  if (message.root.total === 0) {
    app.appendChild(element('p', 'empty', 'No samples were taken.'));
    return;
  }
  app.appendChild(renderFlame(message.root));
  app.appendChild(element('h2', undefined, 'Hottest functions'));
  app.appendChild(renderTable(message.hottest));
}

window.addEventListener('message', (event: MessageEvent<ToFlameGraph>) => {
  if (event.data?.type === 'profile') render(event.data);
});
vscode.postMessage({ type: 'ready' });
