import { setTimeout as sleep } from 'node:timers/promises';
import type { BatchOutcome, UsageMessage, UsagePlan } from './usage-aggregation.service';

/** What the pipeline needs from the aggregation service (plan = CPU only, write = I/O). */
export interface UsagePlanner {
  newPlan(topic: string, partition: number): UsagePlan;
  plan(plan: UsagePlan, messages: readonly UsageMessage[]): void;
  write(plan: UsagePlan): Promise<BatchOutcome>;
}

/** What the pipeline needs from the Kafka consumer. */
export interface UsageOffsets {
  /** Commits `offset` (the next one to read) for the partition; failures are harmless (a later commit covers them). */
  commit(topic: string, partition: number, offset: string): Promise<void>;
  /** Makes the consumer fetch the partition again from `offset`. */
  seek(topic: string, partition: number, offset: string): void;
}

export interface UsagePipelineOptions {
  /** Messages a partition may have planned and waiting for its write before `room` waits. */
  maxPending: number;
  /** Plans written at the same time (each partition's plans are written one at a time whatever this is). */
  maxConcurrentWrites: number;
  /**
   * Least time from the start of a partition's write to the start of its next one (0: write as soon as a slot
   * is free). Meanwhile its messages keep going into one pending plan, written then at the cost of one: the
   * documents a write updates depend on the keys and routes, not on the number of events. A full plan
   * (`maxPending`) and `drain` do not wait.
   */
  minWriteIntervalMs?: number;
  /** Wait after a failed write before the partition is consumed again (doubled at each failure in a row). */
  retryDelayMs: number;
  maxRetryDelayMs: number;
  onWriteFailed?: (partition: number, error: unknown, retryInMs: number) => void;
}

interface PartitionState {
  topic: string;
  partition: number;
  /** Planned, waiting for the write in progress; merged with whatever arrives meanwhile. */
  pending: UsagePlan | null;
  /** The group generation the pending plan was started in. */
  pendingGeneration: number;
  /** In the queue of partitions waiting for a write slot. */
  queued: boolean;
  writing: boolean;
  /** Offset after the last one planned: anything below was planned already (a re-fetch) and is skipped. */
  nextOffset: number | null;
  /** First offset not known to be written: where to fetch again after a failed write. */
  resumeAt: number | null;
  failures: number;
  blockedUntil: number;
  /** When its last write started (ms), for `minWriteIntervalMs`. */
  lastWriteAt: number;
  /** Set while its pending plan waits for `minWriteIntervalMs` to pass. */
  timer: NodeJS.Timeout | null;
}

/**
 * Usage messages of each partition, from fetch to committed offset, with the database writes off the fetch
 * loop: messages are planned (validated, grouped by document) as they are fetched into their partition's
 * pending plan, which grows until it gets a write slot; then everything it holds is written at once. kafkajs
 * fetches again once every batch of a fetch has been handled, so handling a batch no longer includes its
 * writes (docs/usage-pipeline.md, "Pipelining"). Partitions take the `maxConcurrentWrites` slots in turn:
 * on the local Mongo-wire DB (SQLite underneath, one writer at a time) concurrent writes only wait on each
 * other, and a plan that waits longer simply holds more events for the same number of documents.
 *
 * The exactly-once argument is unchanged: plans of a partition are written one at a time in offset order,
 * each write is conditional on the documents' watermarks, and an offset is committed only once everything
 * before it is written. A failed write discards what is planned after it and makes the consumer fetch the
 * partition again from the first offset not written, after a growing delay. A rebalance (`reset`) discards
 * what is planned but not written (the consumer restarts from the committed offsets) and keeps writes in
 * progress from committing for a group generation that is gone.
 */
export class UsagePipeline {
  private readonly partitions = new Map<number, PartitionState>();
  /** Partitions with a pending plan, in the order they will get a write slot (round robin). */
  private readonly ready: PartitionState[] = [];
  private writers = 0;
  /** Settles at the end of the next write (replaced then): what `room` and `drain` wait for. */
  private written = signal();
  /** Group generation, moved on by `reset`: a plan of an older one commits nothing. */
  private generation = 0;
  /** Set by `drain`: pending plans are written without waiting for `minWriteIntervalMs`. */
  private draining = false;

  constructor(
    private readonly planner: UsagePlanner,
    private readonly offsets: UsageOffsets,
    private readonly options: UsagePipelineOptions,
  ) {}

  /**
   * Resolves when the partition may take more messages: its pending plan is below `maxPending` and no failed
   * write is waiting for its retry delay.
   */
  async room(topic: string, partition: number): Promise<void> {
    const state = this.stateOf(topic, partition);
    for (;;) {
      const wait = state.blockedUntil - Date.now();
      if (wait > 0) await sleep(wait);
      else if (state.pending && state.pending.size >= this.options.maxPending) await this.written.promise;
      else return;
    }
  }

  /** Plans messages (in offset order) into the partition's pending plan and queues it for a write slot. */
  add(topic: string, partition: number, messages: readonly UsageMessage[]): void {
    const state = this.stateOf(topic, partition);
    let fresh = messages;
    if (state.nextOffset !== null) {
      const next = state.nextOffset;
      const first = messages.findIndex((message) => Number(message.offset) >= next);
      fresh = first < 0 ? [] : first === 0 ? messages : messages.slice(first);
    }
    if (!fresh.length) return;
    if (!state.pending) {
      state.pending = this.planner.newPlan(topic, partition);
      state.pendingGeneration = this.generation;
    }
    this.planner.plan(state.pending, fresh);
    state.nextOffset = state.pending.lastOffset + 1;
    state.resumeAt ??= state.pending.firstOffset;
    this.schedule(state);
  }

  /** Messages planned and not written yet, over all partitions. */
  get pendingCount(): number {
    let count = 0;
    for (const state of this.partitions.values()) count += state.pending?.size ?? 0;
    return count;
  }

  /** The group was rebalanced: the consumer starts over from the committed offsets. */
  reset(): void {
    this.generation++;
    for (const state of this.partitions.values()) this.clear(state);
  }

  /** Resolves when every plan is written and committed (or failed), plans waiting for their interval included. */
  async drain(): Promise<void> {
    this.draining = true;
    try {
      for (const state of this.partitions.values()) this.schedule(state);
      while (this.writers) await this.written.promise;
    } finally {
      this.draining = false;
    }
  }

  private schedule(state: PartitionState): void {
    if (!state.pending || state.queued || state.writing) return;
    const wait = state.lastWriteAt + (this.options.minWriteIntervalMs ?? 0) - Date.now();
    if (wait > 0 && !this.draining && state.pending.size < this.options.maxPending) {
      state.timer ??= setTimeout(() => {
        state.timer = null;
        this.schedule(state);
      }, wait);
      return;
    }
    this.cancelTimer(state);
    state.queued = true;
    this.ready.push(state);
    while (this.writers < this.options.maxConcurrentWrites && this.ready.length) {
      this.writers++;
      void this.writeLoop();
    }
  }

  /** Takes the partitions waiting for a slot, one at a time, and writes everything each has pending. */
  private async writeLoop(): Promise<void> {
    try {
      for (let state = this.ready.shift(); state; state = this.ready.shift()) {
        state.queued = false;
        const plan = state.pending;
        if (!plan) continue;
        const generation = state.pendingGeneration;
        state.pending = null;
        state.writing = true;
        state.lastWriteAt = Date.now();
        try {
          await this.write(state, plan, generation);
        } finally {
          state.writing = false;
          this.notifyWritten();
        }
        // Planned meanwhile: back in the queue, behind the partitions already waiting.
        this.schedule(state);
      }
    } finally {
      this.writers--;
      this.notifyWritten();
    }
  }

  private notifyWritten(): void {
    this.written.resolve();
    this.written = signal();
  }

  private async write(state: PartitionState, plan: UsagePlan, generation: number): Promise<void> {
    try {
      await this.planner.write(plan);
    } catch (error) {
      // A rebalance since this plan was made rewound the partition already.
      if (generation !== this.generation) return;
      const resumeAt = state.resumeAt ?? plan.firstOffset;
      const delay = Math.min(this.options.retryDelayMs * 2 ** state.failures, this.options.maxRetryDelayMs);
      this.clear(state);
      state.failures++;
      state.blockedUntil = Date.now() + delay;
      this.offsets.seek(plan.topic, plan.partition, String(resumeAt));
      this.options.onWriteFailed?.(plan.partition, error, delay);
      return;
    }
    state.failures = 0;
    if (generation !== this.generation) return;
    state.resumeAt = plan.lastOffset + 1;
    await this.offsets.commit(plan.topic, plan.partition, String(plan.lastOffset + 1));
  }

  private cancelTimer(state: PartitionState): void {
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
  }

  private clear(state: PartitionState): void {
    this.cancelTimer(state);
    state.pending = null;
    state.nextOffset = null;
    state.resumeAt = null;
    state.blockedUntil = 0;
  }

  private stateOf(topic: string, partition: number): PartitionState {
    let state = this.partitions.get(partition);
    if (!state) {
      state = {
        topic,
        partition,
        pending: null,
        pendingGeneration: 0,
        queued: false,
        writing: false,
        nextOffset: null,
        resumeAt: null,
        failures: 0,
        blockedUntil: 0,
        lastWriteAt: 0,
        timer: null,
      };
      this.partitions.set(partition, state);
    }
    return state;
  }
}

function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}
