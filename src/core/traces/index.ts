// The traces core: what the CLI and the VS Code views use.
export type { StackFrame, StackTrace } from './types';
export { findStackTraces, TraceScanner } from './detect';
export { findFrameLocations, MAX_LOCATIONS_PER_LINE } from './lineLinks';
export { WorkspaceIndex, indexDirectory } from './workspaceIndex';
export { FrameMapper, suggestRule, type FrameMapping, type MappableFrame, type PathMappingRule } from './mapping';
export { SourceMap, decodeVlqSegment } from './sourceMap';
export { commitsBetween, moveLineThroughHunks, moveLineToRevision, parseHunks, readFileAtRevision, resolveRevision } from './revision';
