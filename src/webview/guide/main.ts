// The Incident panel's webview: the four steps as a checklist, notes, the timeline and each host's
// load per CPU. Every string from the incident (titles, notes, log lines, traces) is set with
// textContent, so markup or escape sequences in it show as characters and run nothing.
import { button, el, visible } from './dom';
import { renderDrift } from './drift';
import type { FromGuide, GuideIncident, GuideLoadSeries, GuidePerson, GuideState, GuideTimelineItem, ToGuide } from './protocol';

interface ViewState {
  /** Steps the user folded or unfolded, by id (true = open). */
  open: Record<string, boolean>;
  showCommands: boolean;
  draft: string;
  draftKind: string;
}

declare function acquireVsCodeApi(): {
  postMessage(message: FromGuide): void;
  getState(): ViewState | undefined;
  setState(state: ViewState): void;
};
const vscode = acquireVsCodeApi();
const view: ViewState = { open: {}, showCommands: false, draft: '', draftKind: 'comment', ...vscode.getState() };
let last: GuideState | undefined;

const NOTE_KINDS: [string, string][] = [
  ['comment', 'Note'],
  ['hypothesis', 'Hypothesis'],
  ['ruled-out', 'Ruled out'],
  ['decision', 'Decision'],
];
const SVG = 'http://www.w3.org/2000/svg';
function post(message: FromGuide): void {
  vscode.postMessage(message);
}

function save(): void {
  vscode.setState(view);
}

function time(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

function elapsed(from: number): string {
  const minutes = Math.max(0, Math.round((Date.now() - from) / 60_000));
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function renderHeader(incident: GuideIncident): HTMLElement {
  const header = el('header', 'incident');
  const title = header.appendChild(el('h1'));
  title.appendChild(el('span', `severity ${incident.severity.toLowerCase()}`, incident.severity));
  title.appendChild(el('span', 'title', incident.title));
  const facts = header.appendChild(el('p', 'facts'));
  facts.textContent = visible(
    [
      `${incident.status}`,
      `open ${elapsed(incident.createdAt)}`,
      incident.commander ? `commander ${incident.commander}` : 'no commander',
      ...(incident.hosts.length ? [incident.hosts.join(', ')] : []),
    ].join(' · '),
  );
  const milestones = header.appendChild(el('ol', 'milestones'));
  milestones.setAttribute('aria-label', 'Milestones');
  let offered = false;
  for (const m of incident.milestones) {
    const item = milestones.appendChild(el('li', m.at ? 'reached' : ''));
    if (m.at) item.textContent = `${m.name} ${time(m.at)}`;
    else if (!offered && !last?.guest) {
      offered = true;
      item.appendChild(button(`Mark ${m.name}`, () => post({ type: 'milestone', milestone: m.name }), 'link'));
    } else item.textContent = m.name;
  }
  return header;
}

function renderSteps(incident: GuideIncident): HTMLElement {
  const section = el('section', 'steps');
  section.setAttribute('aria-label', 'The four steps');
  incident.steps.forEach((step, index) => {
    const done = step.checks.filter((c) => c.done).length;
    const details = section.appendChild(el('details', step.current ? 'step current' : 'step'));
    details.open = view.open[step.id] ?? step.current;
    details.addEventListener('toggle', () => {
      view.open[step.id] = details.open;
      save();
    });
    const summary = details.appendChild(el('summary'));
    summary.appendChild(el('span', 'number', `${index + 1}`));
    summary.appendChild(el('span', 'step-title', step.title));
    summary.appendChild(el('span', 'count', `${done}/${step.checks.length}`));
    if (step.current) summary.appendChild(el('span', 'badge', 'now'));
    const list = details.appendChild(el('ul', 'checks'));
    let hinted = false;
    for (const check of step.checks) {
      const item = list.appendChild(el('li', check.done ? 'check done' : 'check'));
      const box = item.appendChild(el('input'));
      box.type = 'checkbox';
      box.checked = check.done;
      box.id = `check-${step.id}-${check.id}`;
      box.disabled = last?.guest ?? false;
      box.addEventListener('change', () => {
        box.checked = check.done; // the file decides; the change comes back with the new state
        post({ type: 'setCheck', step: step.id, check: check.id, done: !check.done });
      });
      const label = item.appendChild(el('label', undefined, check.title));
      label.htmlFor = box.id;
      if (check.how) item.appendChild(el('div', 'how', check.how));
      if (!check.done && step.current && !hinted) {
        hinted = true;
        item.appendChild(el('div', 'hint', `Next: ${check.hint}`));
      } else if (!check.done) item.title = check.hint;
    }
  });
  return section;
}

function renderNoteForm(): HTMLElement {
  const form = el('form', 'note');
  form.setAttribute('aria-label', 'Add a note');
  const kind = form.appendChild(el('select'));
  kind.setAttribute('aria-label', 'Kind of note');
  for (const [value, label] of NOTE_KINDS) {
    const option = kind.appendChild(el('option', undefined, label));
    option.value = value;
  }
  kind.value = view.draftKind;
  const text = form.appendChild(el('textarea'));
  text.rows = 2;
  text.placeholder = 'What you see, think or decided… (Ctrl+Enter adds it)';
  text.setAttribute('aria-label', 'Note');
  text.value = view.draft;
  text.addEventListener('input', () => {
    view.draft = text.value;
    save();
  });
  kind.addEventListener('change', () => {
    view.draftKind = kind.value;
    save();
  });
  const submit = () => {
    if (!text.value.trim()) return;
    post({ type: 'addNote', text: text.value, kind: kind.value });
    view.draft = '';
    text.value = '';
    save();
  };
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit();
    }
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  const add = form.appendChild(el('button', 'button', 'Add note'));
  add.type = 'submit';
  return form;
}

function renderLoads(loads: GuideLoadSeries[]): HTMLElement | undefined {
  const series = loads.filter((s) => s.points.length > 0);
  if (series.length === 0) return undefined;
  const section = el('section', 'loads');
  section.appendChild(el('h2', undefined, 'Load per CPU'));
  const from = Math.min(...series.map((s) => s.points[0].at));
  const to = Math.max(Date.now(), ...series.map((s) => s.points[s.points.length - 1].at));
  const top = Math.max(2, ...series.flatMap((s) => s.points.map((p) => p.loadPerCpu)));
  const width = 300;
  const height = 60;
  const x = (at: number) => (to === from ? 0 : ((at - from) / (to - from)) * width);
  const y = (v: number) => height - (v / top) * height;
  for (const s of series) {
    const figure = section.appendChild(el('figure', 'load'));
    const peak = Math.max(...s.points.map((p) => p.loadPerCpu));
    figure.appendChild(
      el('figcaption', undefined, `${s.host}: now ${s.points[s.points.length - 1].loadPerCpu.toFixed(2)}, peak ${peak.toFixed(2)}`),
    );
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `Load per CPU on ${visible(s.host)}, peak ${peak.toFixed(2)}`);
    const one = document.createElementNS(SVG, 'line');
    one.setAttribute('class', 'one');
    one.setAttribute('x1', '0');
    one.setAttribute('x2', String(width));
    one.setAttribute('y1', String(y(1)));
    one.setAttribute('y2', String(y(1)));
    svg.appendChild(one);
    // A step line: each sample holds until the next one (samples are kept only on a change).
    const points: string[] = [];
    s.points.forEach((p, i) => {
      if (i > 0) points.push(`${x(p.at)},${y(s.points[i - 1].loadPerCpu)}`);
      points.push(`${x(p.at)},${y(p.loadPerCpu)}`);
    });
    points.push(`${x(to)},${y(s.points[s.points.length - 1].loadPerCpu)}`);
    const line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', points.join(' '));
    line.setAttribute('class', peak > 1 ? 'series hot' : 'series');
    svg.appendChild(line);
    figure.appendChild(svg);
  }
  return section;
}

function renderTimelineItem(item: GuideTimelineItem, guest: boolean): HTMLElement {
  const li = el('li', `entry ${item.kind}${item.noteKind ? ` ${item.noteKind}` : ''}${item.pinned ? ' pinned' : ''}`);
  li.appendChild(el('time', undefined, time(item.at))).setAttribute('datetime', new Date(item.at).toISOString());
  if (item.noteKind && item.noteKind !== 'comment')
    li.appendChild(el('span', 'kind', NOTE_KINDS.find(([k]) => k === item.noteKind)?.[1] ?? item.noteKind));
  if (item.host) li.appendChild(el('span', 'host', item.host));
  li.appendChild(el('span', 'what', item.label));
  if (item.who) li.appendChild(el('span', 'who', item.who));
  const actions = li.appendChild(el('span', 'actions'));
  if (item.evidence) actions.appendChild(button(item.evidence, () => post({ type: 'openEvidence', entry: item.id }), 'link', 'go-to-file'));
  if (!guest || item.kind === 'note') {
    const pin = actions.appendChild(
      button(
        item.pinned ? 'Unpin' : 'Pin',
        () => post({ type: 'pin', entry: item.id, pinned: !item.pinned }),
        'icon',
        item.pinned ? 'pinned' : 'pin',
      ),
    );
    pin.setAttribute('aria-pressed', String(item.pinned));
  }
  return li;
}

function renderTimeline(state: GuideState): HTMLElement {
  const section = el('section', 'timeline');
  const head = section.appendChild(el('div', 'timeline-head'));
  head.appendChild(el('h2', undefined, 'Timeline'));
  const toggle = head.appendChild(el('label', 'toggle'));
  const box = toggle.appendChild(el('input'));
  box.type = 'checkbox';
  box.checked = view.showCommands;
  box.addEventListener('change', () => {
    view.showCommands = box.checked;
    save();
    if (last) render(last);
  });
  toggle.appendChild(document.createTextNode(' commands'));
  const shown = state.timeline.filter((item) => view.showCommands || !item.name?.startsWith('command.'));
  const pinned = shown.filter((item) => item.pinned);
  if (pinned.length) {
    section.appendChild(el('h3', undefined, 'Pinned'));
    const list = section.appendChild(el('ol', 'entries'));
    for (const item of pinned) list.appendChild(renderTimelineItem(item, state.guest));
  }
  const list = section.appendChild(el('ol', 'entries'));
  list.setAttribute('aria-label', 'Timeline, newest first');
  for (const item of [...shown].reverse()) list.appendChild(renderTimelineItem(item, state.guest));
  if (shown.length === 0) section.appendChild(el('p', 'empty', 'Nothing yet: what you do on the hosts appears here as you do it.'));
  return section;
}

/** Who is in the Live Share session, when there is one. */
function renderPresence(people: GuidePerson[]): HTMLElement | undefined {
  if (people.length === 0) return undefined;
  const line = el('p', 'presence');
  line.setAttribute('aria-label', 'People in the Live Share session');
  line.appendChild(el('span', 'codicon codicon-live-share')).setAttribute('aria-hidden', 'true');
  line.appendChild(document.createTextNode(' In this session: '));
  people.forEach((person, i) => {
    if (i > 0) line.appendChild(document.createTextNode(' · '));
    line.appendChild(el('span', `person ${person.role}`, person.name));
    const notes = [person.role === 'participant' ? undefined : person.role, person.you ? 'you' : undefined].filter(Boolean);
    if (notes.length) line.appendChild(el('span', 'who', ` (${notes.join(', ')})`));
  });
  return line;
}

function renderIncidentList(state: GuideState, root: HTMLElement): void {
  const others = state.incidents.filter((i) => i.id !== state.incident?.id);
  if (others.length === 0) return;
  const section = root.appendChild(el('section', 'incidents'));
  section.appendChild(el('h2', undefined, state.incident ? 'Other incidents' : 'Incidents'));
  const list = section.appendChild(el('ul'));
  for (const other of others) {
    const li = list.appendChild(el('li'));
    li.appendChild(button(other.title, () => post({ type: 'switchIncident', id: other.id }), 'link'));
    li.appendChild(el('span', 'status', ` ${other.status}`));
  }
}

function render(state: GuideState): void {
  last = state;
  const root = document.getElementById('app');
  if (!root) return;
  const focused = document.activeElement?.id;
  root.replaceChildren();
  if (state.problem) root.appendChild(el('p', 'problem', state.problem));
  const presence = renderPresence(state.presence ?? []);
  if (presence) root.appendChild(presence);
  if (!state.incident) {
    root.appendChild(el('p', 'empty', 'No active incident. Start one to track the four steps and let the timeline write itself.'));
    if (!state.guest) root.appendChild(button('Start Incident', () => post({ type: 'startIncident' }), 'button primary', 'flame'));
    renderIncidentList(state, root);
    return;
  }
  root.appendChild(renderHeader(state.incident));
  root.appendChild(renderSteps(state.incident));
  root.appendChild(renderNoteForm());
  const loads = renderLoads(state.loads);
  if (loads) root.appendChild(loads);
  const drift = renderDrift(state.drift, post);
  if (drift) root.appendChild(drift);
  root.appendChild(renderTimeline(state));
  const actions = root.appendChild(el('div', 'actions-bar'));
  if (!state.guest) actions.appendChild(button('Write Up', () => post({ type: 'writeUp' }), 'button', 'notebook'));
  actions.appendChild(button('Search Past Incidents', () => post({ type: 'searchPast' }), 'button', 'history'));
  renderIncidentList(state, root);
  if (focused) document.getElementById(focused)?.focus();
}

window.addEventListener('message', (event: MessageEvent<ToGuide>) => {
  if (event.data?.type === 'state') render(event.data.state);
});
post({ type: 'ready' });
