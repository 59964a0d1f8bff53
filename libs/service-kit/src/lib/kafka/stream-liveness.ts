const DEFAULT_STALE_AFTER_MS = 10_000;

/**
 * Whether a Kafka stream is flowing: its consumer joined its group and heard from the broker within
 * `staleAfterMs`. A cache fed by the stream trusts its entries only while it is.
 */
export class StreamLiveness {
  private listening = false;
  private lastActivityAt = 0;

  constructor(private readonly staleAfterMs = DEFAULT_STALE_AFTER_MS) {}

  isLive(now = Date.now()): boolean {
    return this.listening && now - this.lastActivityAt < this.staleAfterMs;
  }

  markListening(): void {
    this.listening = true;
    this.lastActivityAt = Date.now();
  }

  markActivity(): void {
    this.lastActivityAt = Date.now();
  }

  markStopped(): void {
    this.listening = false;
  }
}
