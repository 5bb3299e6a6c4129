// VS Code's JavaScript debugger maps one remote directory to one local one (localRoot/remoteRoot):
// the path-mapping rule for the host it attaches to (docs/architecture.md, "Debugging: Node
// processes").
import type { PathMappingRule } from '../../traces/mapping';

/** The host's own rule first, then the first rule for every host; undefined when none applies. */
export function nodeDebugRoots(rules: readonly PathMappingRule[], host: string): { localRoot: string; remoteRoot: string } | undefined {
  const rule = rules.find((r) => r.host === host) ?? rules.find((r) => r.host === undefined);
  return rule && { localRoot: rule.localRoot, remoteRoot: rule.remoteRoot };
}
