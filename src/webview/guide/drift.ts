// The Incident panel's drift section: per host with a deploy directory, a button that compares it
// with the repository, then the files changed, added or deleted on the box, each with its diff and
// "bring into the hotfix branch". Paths come from the host: they are set as text.
import { button, el } from './dom';
import type { FromGuide, GuideDriftHost } from './protocol';

const KINDS: Record<GuideDriftHost['changes'][number]['kind'], { icon: string; text: string }> = {
  modified: { icon: 'diff-modified', text: 'changed on the host' },
  added: { icon: 'diff-added', text: 'only on the host' },
  missing: { icon: 'diff-removed', text: 'deleted on the host' },
  unchecked: { icon: 'question', text: 'too large to compare' },
};

function renderHost(drift: GuideDriftHost, post: (message: FromGuide) => void): HTMLElement {
  const item = el('li', `drift-host ${drift.state}`);
  item.dataset.host = drift.host;
  const head = item.appendChild(el('div', 'drift-head'));
  head.appendChild(el('span', 'host', drift.host));
  const checking = drift.state === 'checking';
  const check = head.appendChild(
    button(
      checking ? 'Checking…' : drift.state === 'unchecked' ? 'Check drift' : 'Check again',
      () => post({ type: 'checkDrift', host: drift.host }),
      'button',
      checking ? 'loading' : 'diff',
    ),
  );
  check.disabled = checking;
  check.setAttribute('aria-label', `Compare ${drift.host} with the repository`);
  if (drift.problem) item.appendChild(el('p', 'problem', drift.problem));
  if (drift.summary) item.appendChild(el('p', 'how', drift.summary + (drift.truncated ? ' (listing cut at its bound)' : '')));
  if (drift.state !== 'checked' || drift.changes.length === 0) return item;
  const list = item.appendChild(el('ul', 'drift-files'));
  list.setAttribute('aria-label', `Files that differ on ${drift.host}`);
  for (const change of drift.changes) {
    const kind = KINDS[change.kind];
    const row = list.appendChild(el('li', `drift-file ${change.kind}`));
    row.appendChild(el('span', `codicon codicon-${kind.icon}`)).setAttribute('aria-hidden', 'true');
    row.appendChild(el('span', 'path', change.path));
    row.appendChild(el('span', 'kind', kind.text));
    const actions = row.appendChild(el('span', 'actions'));
    const diff = actions.appendChild(
      button('Diff', () => post({ type: 'driftDiff', host: drift.host, path: change.path }), 'link', 'diff-single'),
    );
    diff.setAttribute('aria-label', `Diff of ${change.path}: the deployed revision against ${drift.host}`);
    if (change.kind === 'unchecked') continue;
    const bring = actions.appendChild(
      button(
        change.kind === 'missing' ? 'Delete in hotfix' : 'Bring into hotfix',
        () => post({ type: 'driftBring', host: drift.host, path: change.path }),
        'link',
        change.kind === 'missing' ? 'trash' : 'git-pull-request-go-to-changes',
      ),
    );
    bring.setAttribute('aria-label', `${change.kind === 'missing' ? 'Delete' : 'Bring'} ${change.path} into the hotfix branch`);
  }
  return item;
}

/** The section, or undefined when no host has a deploy directory (or in a guest's window). */
export function renderDrift(hosts: GuideDriftHost[], post: (message: FromGuide) => void): HTMLElement | undefined {
  if (hosts.length === 0) return undefined;
  const section = el('section', 'drift');
  section.setAttribute('aria-label', 'Drift: changes made on hosts that the repository lacks');
  section.appendChild(el('h2', undefined, 'Drift'));
  const list = section.appendChild(el('ul', 'drift-hosts'));
  for (const host of hosts) list.appendChild(renderHost(host, post));
  return section;
}
