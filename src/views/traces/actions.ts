// What maps, opens and analyzes frames: the trace parser, path mapping, source maps and git
// revisions. Bundled apart (dist/traces.js) and loaded the first time a frame is opened or a
// trace analyzed, so activation does not pay for it (see ./bundle.ts).
import type * as vscode from 'vscode';
import type { PathMappingRules } from '../../core/traces/pathMappingRules';
import type { Services } from '../services';
import { TraceAnalyzer, type AnalyzeRequest } from './analyze';
import { FrameNavigator } from './frameNavigator';
import type { FrameTarget } from './frameTarget';
import type { TracesView } from './tracesView';
import { WorkspaceFiles } from './workspaceFiles';

export interface TraceActions extends vscode.Disposable {
  open(target: FrameTarget): Promise<void>;
  analyze(request?: AnalyzeRequest): Promise<void>;
  /** The inventory changed: deployed revisions must be read again. */
  forgetRevisions(): void;
}

export function createTraceActions(services: Services, view: TracesView, mappings: PathMappingRules): TraceActions {
  const files = new WorkspaceFiles();
  const navigator = new FrameNavigator(services, files, mappings);
  const analyzer = new TraceAnalyzer(services, navigator, view, mappings);
  return {
    open: (target) => navigator.open(target),
    analyze: (request) => analyzer.run(request),
    forgetRevisions: () => navigator.revisions.forget(),
    dispose: () => {
      analyzer.dispose();
      files.dispose();
    },
  };
}
