// Text from a host (process names, exception messages) shown outside a terminal.

/** Control characters (C0, DEL, C1) become single spaces; the ends are trimmed. */
export function stripControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}
