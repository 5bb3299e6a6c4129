// The traces core: what the CLI and the VS Code views use.
export type { ExceptionRelation, StackFrame, StackTrace, TextSpan, TraceException, TraceLanguage } from './types';
export { findStackTraces, TraceScanner } from './detect';
export { findFrameLocations, MAX_LOCATIONS_PER_LINE, type LineLocation } from './lineLinks';
export { fingerprintSignature } from './fingerprint';
export { isApplicationFrame } from './classify';
export { WorkspaceIndex, indexDirectory, type IndexDirectoryOptions } from './workspaceIndex';
export {
  FrameMapper,
  suggestRule,
  type FrameMapperOptions,
  type FrameMapping,
  type MappableFrame,
  type MappingVia,
  type PathMappingRule,
} from './mapping';
export { SourceMap, decodeVlqSegment, type OriginalPosition } from './sourceMap';
export {
  commitsBetween,
  GitError,
  moveLineThroughHunks,
  moveLineToRevision,
  parseHunks,
  readFileAtRevision,
  resolveRevision,
  type CommitDistance,
  type DiffHunk,
  type LineAtHead,
  type MovedLine,
} from './revision';
