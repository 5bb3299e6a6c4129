// Words for the CLI's text output and the Stack Traces view.
import type { MappingVia } from './mapping';
import type { ExceptionRelation } from './types';

/** How an exception relates to the one before it. */

export const RELATION_LABELS: Record<ExceptionRelation, string> = {
  cause: 'caused by',
  suppressed: 'suppressed',
  inner: 'inner exception',
  'caused-by-previous': 'raised from the previous',
  'during-handling-of-previous': 'while handling the previous',
  goroutine: 'goroutine',
  thread: 'thread',
};

/** How a frame's remote path was mapped to a workspace file. */
export const VIA_LABELS: Record<MappingVia, string> = {
  rule: 'path mapping',
  workspace: 'workspace path',
  'source-map': 'source map',
  'java-package': 'Java package',
  suffix: 'path suffix',
};
