// Polling wait shared by unit and integration tests. The timeout is only a safety net for a state
// that never comes: generous, because a busy CI machine can be many times slower than this one.

/** Resolves when `condition` holds, polling every `intervalMs`; rejects after `timeoutMs` with `what`. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 30_000, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
