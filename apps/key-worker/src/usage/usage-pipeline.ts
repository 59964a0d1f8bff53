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
  /** Messages a partition may have planned and waiting for the write in progress before `room` waits. */
  maxPending: number;
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
  writing: Promise<void> | null;
  /** Offset after the last one planned: anything below was planned already (a re-fetch) and is skipped. */
  nextOffset: number | null;
  /** First offset not known to be written: where to fetch again after a failed write. */
  resumeAt: number | null;
  failures: number;
  blockedUntil: number;
}

/**
 * Usage messages of each partition, from fetch to committed offset, with the database writes off the fetch
 * loop: while one plan of a partition is being written, the messages fetched next are planned (validated,
 * grouped by document) into the following one, which is written as soon as the first is done. kafkajs
 * fetches again once every batch of a fetch has been handled, so handling a batch no longer includes its
 * writes, and a cycle gets shorter (docs/usage-pipeline.md, "Pipelining").
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
  private generation = 0;
  private readonly generations = new WeakMap<UsagePlan, number>();

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
      else if (state.pending && state.pending.size >= this.options.maxPending && state.writing) await state.writing;
      else return;
    }
  }

  /** Plans messages (in offset order) and starts writing them unless a write of the partition is in progress. */
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
      this.generations.set(state.pending, this.generation);
    }
    this.planner.plan(state.pending, fresh);
    state.nextOffset = state.pending.lastOffset + 1;
    state.resumeAt ??= state.pending.firstOffset;
    this.writeNext(state);
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

  /** Resolves when every plan is written and committed (or failed). */
  async drain(): Promise<void> {
    for (;;) {
      const writes = [...this.partitions.values()].map((state) => state.writing).filter((write) => write !== null);
      if (!writes.length) return;
      await Promise.all(writes);
    }
  }

  private writeNext(state: PartitionState): void {
    if (state.writing || !state.pending) return;
    const plan = state.pending;
    state.pending = null;
    state.writing = this.write(state, plan).finally(() => {
      state.writing = null;
      this.writeNext(state);
    });
  }

  private async write(state: PartitionState, plan: UsagePlan): Promise<void> {
    const generation = this.generations.get(plan);
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

  private clear(state: PartitionState): void {
    state.pending = null;
    state.nextOffset = null;
    state.resumeAt = null;
    state.blockedUntil = 0;
  }

  private stateOf(topic: string, partition: number): PartitionState {
    let state = this.partitions.get(partition);
    if (!state) {
      state = { topic, partition, pending: null, writing: null, nextOffset: null, resumeAt: null, failures: 0, blockedUntil: 0 };
      this.partitions.set(partition, state);
    }
    return state;
  }
}
