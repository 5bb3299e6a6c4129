// Host paths ↔ workspace files for the debugger, with the same `firefighter.pathMappings` rules
// the stack-trace links use (docs/architecture.md, "Debugging"). A frame no rule maps is shown
// from the host itself (the deployed code); a breakpoint no rule maps names the file by its base
// name, which gdb finds when it is unique.
import * as path from 'node:path';
import { FrameMapper, type PathMappingRule } from '../traces/mapping';

export interface DebugSourceMapper {
  toLocal(host: string, remoteFile: string): Promise<string | undefined>;
  toRemote(host: string, localFile: string): Promise<string>;
}

export function ruleSourceMapper(rulesFor: (host: string) => readonly PathMappingRule[]): DebugSourceMapper {
  return {
    async toLocal(host, remoteFile) {
      const mapping = await new FrameMapper({ rules: [...rulesFor(host)], host }).map({
        function: null,
        file: remoteFile,
        line: null,
        column: null,
        app: true,
      });
      return mapping.kind === 'mapped' ? mapping.path : undefined;
    },
    async toRemote(host, localFile) {
      for (const rule of rulesFor(host)) {
        const relative = path.relative(rule.localRoot, localFile);
        if (relative && !relative.startsWith('..') && !path.isAbsolute(relative))
          return path.posix.join(rule.remoteRoot, ...relative.split(path.sep));
      }
      return path.basename(localFile);
    },
  };
}
