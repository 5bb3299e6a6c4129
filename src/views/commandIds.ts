// Command ids are public (keybindings, walkthroughs and tests use them). Kept free of `vscode` so
// a unit test can check that package.json declares exactly these.
export const CommandId = {
  connect: 'firefighter.connect',
  disconnect: 'firefighter.disconnect',
  openTop: 'firefighter.openTop',
  openShell: 'firefighter.openShell',
  copySshCommand: 'firefighter.copySshCommand',
  refreshHosts: 'firefighter.refreshHosts',
  analyzeStackTrace: 'firefighter.analyzeStackTrace',
  openTraceFrame: 'firefighter.openTraceFrame',
  tailLog: 'firefighter.tailLog',
  logsTogglePause: 'firefighter.logs.togglePause',
  logsChangeFilter: 'firefighter.logs.changeFilter',
  logsOpenInEditor: 'firefighter.logs.openInEditor',
  logsSaveExcerpt: 'firefighter.logs.saveExcerpt',
  snapshotProcess: 'firefighter.snapshotProcess',
  attachProcess: 'firefighter.attachProcess',
  sampleProcess: 'firefighter.sampleProcess',
  pickProcess: 'firefighter.pickProcess',
  startIncident: 'firefighter.startIncident',
  writeUp: 'firefighter.writeUp',
  searchPastIncidents: 'firefighter.searchPastIncidents',
  startHotfix: 'firefighter.startHotfix',
  runHotfixTests: 'firefighter.runHotfixTests',
  showDrift: 'firefighter.showDrift',
  deployHotfix: 'firefighter.deployHotfix',
  verifyHotfix: 'firefighter.verifyHotfix',
  restartService: 'firefighter.restartService',
  killProcess: 'firefighter.killProcess',
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];
