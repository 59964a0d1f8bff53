/** The message of anything thrown, for a log line. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface BackoffOptions {
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * Exponential backoff for a loop that keeps retrying a dependency: `next()` gives the delay before the next
 * attempt (doubling up to the maximum), `reset()` after a success. `failures` tells the first failure of an
 * outage (worth a warning) from the ones that follow.
 */
export class Backoff {
  private attempts = 0;

  constructor(private readonly options: BackoffOptions) {}

  get failures(): number {
    return this.attempts;
  }

  next(): number {
    const delay = Math.min(this.options.initialDelayMs * 2 ** this.attempts, this.options.maxDelayMs);
    this.attempts++;
    return delay;
  }

  reset(): void {
    this.attempts = 0;
  }
}

/** Resolves after `ms`, without keeping the process alive. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
