/** Retries `probe` until it stops throwing or `timeoutMs` passes; rethrows the last failure. */
export async function eventually<T>(probe: () => Promise<T> | T, timeoutMs = 10000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
