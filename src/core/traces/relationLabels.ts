// How an exception relates to the one before it, in words (the CLI's text output and the view).
import type { ExceptionRelation } from './types';

export const RELATION_LABELS: Record<ExceptionRelation, string> = {
  cause: 'caused by',
  suppressed: 'suppressed',
  inner: 'inner exception',
  'caused-by-previous': 'raised from the previous',
  'during-handling-of-previous': 'while handling the previous',
  goroutine: 'goroutine',
  thread: 'thread',
};
