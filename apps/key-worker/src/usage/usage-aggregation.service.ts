import { Inject, Injectable, Logger } from '@nestjs/common';
import { isoTimeToMs, KEY_USAGE_EVENT_VERSION, parseKeyUsageMessage } from '@rs/event-contracts';
import { CLOCK, type Clock } from '@rs/key-store';
import { MetricsService } from '@rs/service-kit';
import { type DeadLetter, DeadLetterPublisher } from './dead-letter.publisher';
import { type BucketInsert, type BucketUpdate, UsageBucketsRepository } from './usage-buckets.repository';
import {
  type BucketCollection,
  type BucketPlan,
  BucketPlanner,
  deltaAfter,
  type UsageSample,
} from './usage-buckets.util';
import { RecentDeltas } from './recent-deltas.cache';
import { UsageWatermarksCache } from './usage-watermarks.cache';
import { DEAD_LETTER_PAYLOAD_MAX_CHARS, MAX_WATERMARK_ATTEMPTS } from './usage.constants';

/** A Kafka message as the consumer hands it over (kafkajs shape, offsets as decimal text). */
export interface UsageMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

/**
 * Messages of one partition, validated and grouped by the documents they update, not written yet. Built by
 * `plan` (CPU only) and written by `write`; the consumer plans the next messages while the previous plan is
 * being written.
 */
export interface UsagePlan {
  readonly topic: string;
  readonly partition: number;
  readonly planner: BucketPlanner;
  readonly letters: DeadLetter[];
  /** Requests counted by the plan's valid messages. */
  valid: number;
  /** Deltas left out as copies of one already planned (same producer, window and key at another offset). */
  duplicates: number;
  /** Messages in the plan, valid or not. */
  size: number;
  /** Offsets of the first and last message planned (-1 while empty). */
  firstOffset: number;
  lastOffset: number;
}

export interface BatchOutcome {
  aggregated: number;
  deadLettered: number;
  /** Requests the aggregates already held (a replay after a crash or a rebalance). */
  alreadyApplied: number;
}

const EMPTY_PAYLOAD = { ok: false, reason: 'payload is empty' } as const;

/** Metric label for a validation failure (bounded set; the full reason goes into the dead-letter record). */
export function deadLetterReasonLabel(reason: string): string {
  if (reason === 'payload is empty') return 'empty';
  if (reason === 'payload is not valid JSON') return 'not_json';
  if (reason === 'payload is not a JSON object') return 'not_object';
  if (reason.startsWith("field 'version'")) return 'unknown_version';
  if (reason.startsWith("field 'type'")) return 'unknown_type';
  return 'invalid_field';
}

/**
 * Turns one partition batch into aggregate updates with an exactly-once effect and no transactions:
 * every document records, per partition, the offset of the last event it counts, and each write is
 * conditional on that watermark. Offsets are committed by the caller only after this resolves.
 */
@Injectable()
export class UsageAggregationService {
  private readonly logger = new Logger(UsageAggregationService.name);
  private readonly watermarks = new UsageWatermarksCache();
  private readonly deltas = new RecentDeltas();
  private readonly messages;
  private readonly requests;
  private readonly deadLetterCounter;
  private readonly writes;
  private readonly conflicts;
  private readonly eventAge;
  private readonly batchDuration;

  constructor(
    private readonly buckets: UsageBucketsRepository,
    private readonly deadLetters: DeadLetterPublisher,
    @Inject(CLOCK) private readonly clock: Clock,
    metrics: MetricsService,
  ) {
    this.messages = metrics.counter('key_worker_usage_messages_total', 'Usage messages consumed, by outcome', [
      'outcome',
    ]);
    this.requests = metrics.counter(
      'key_worker_usage_requests_total',
      'Requests counted by valid usage messages, by outcome',
      ['outcome'],
    );
    this.deadLetterCounter = metrics.counter(
      'key_worker_usage_dead_letters_total',
      'Unusable usage messages sent to the dead-letter topic, by reason',
      ['reason'],
    );
    this.writes = metrics.counter(
      'key_worker_usage_bucket_writes_total',
      'Aggregate documents written, by collection and kind',
      ['collection', 'kind'],
    );
    this.conflicts = metrics.counter(
      'key_worker_usage_watermark_conflicts_total',
      'Aggregate writes redone because a watermark had moved (replay, rebalance)',
    );
    this.batchDuration = metrics.histogram(
      'key_worker_usage_batch_duration_seconds',
      'Time to write one plan (dead letters, then the aggregate documents)',
      [],
      [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    );
    this.eventAge = metrics.histogram(
      'key_worker_usage_event_age_seconds',
      'Time from a usage event to its aggregates being written',
      [],
      [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    );
  }

  /** Partitions moved between replicas: what this replica remembers of the documents may be stale. */
  forgetWatermarks(): void {
    this.watermarks.clear();
    this.deltas.clear();
  }

  newPlan(topic: string, partition: number): UsagePlan {
    return {
      topic,
      partition,
      planner: new BucketPlanner(),
      letters: [],
      valid: 0,
      duplicates: 0,
      size: 0,
      firstOffset: -1,
      lastOffset: -1,
    };
  }

  /**
   * Validates messages of the plan's partition (in offset order, after those it holds) and adds them to it:
   * valid events to the documents they update, the others to its dead letters. CPU only, no I/O.
   */
  plan(plan: UsagePlan, messages: readonly UsageMessage[]): void {
    const now = this.clock();
    for (const message of messages) {
      const offset = Number(message.offset);
      const parsed = message.value?.length ? parseKeyUsageMessage(message.value) : EMPTY_PAYLOAD;
      if (!parsed.ok) plan.letters.push(deadLetterOf(plan, message, parsed.reason, now));
      else if (parsed.value.version === KEY_USAGE_EVENT_VERSION) {
        // Valid, so occurred_at is an ISO time: this reads it again on the fast path, no Date.parse.
        plan.planner.add(offset, parsed.value, isoTimeToMs(parsed.value.occurred_at));
        plan.valid++;
      } else if (this.deltas.isCopy(plan.partition, offset, parsed.value)) {
        plan.duplicates++;
      } else {
        plan.planner.addDelta(offset, parsed.value);
        for (const route of parsed.value.routes) plan.valid += route.count;
      }
      if (plan.size++ === 0) plan.firstOffset = offset;
      plan.lastOffset = offset;
    }
  }

  /** Writes a plan: dead letters first, then the hour and day documents, then the totals, each conditional on its watermark. */
  async write(plan: UsagePlan): Promise<BatchOutcome> {
    const stop = this.batchDuration.startTimer();
    try {
      return await this.writeValidated(plan);
    } finally {
      stop();
    }
  }

  private async writeValidated({ partition, planner, letters, valid, duplicates }: UsagePlan): Promise<BatchOutcome> {
    if (duplicates) {
      this.messages.inc({ outcome: 'duplicate' }, duplicates);
      this.logger.warn(
        `${duplicates} usage delta(s) of partition ${partition} left out: copies of deltas already counted`,
      );
    }
    // Dead letters first: once the offsets are committed the messages are gone from this consumer's view.
    if (letters.length) {
      await this.deadLetters.publish(letters);
      for (const letter of letters) this.deadLetterCounter.inc({ reason: deadLetterReasonLabel(letter.record.reason) });
      this.messages.inc({ outcome: 'dead_lettered' }, letters.length);
      this.logger.warn(
        `${letters.length} unusable usage message(s) of partition ${partition} sent to the dead-letter topic`,
      );
    }
    let alreadyApplied = 0;
    if (valid) {
      const plans = planner.plans;
      const of = (collection: BucketCollection) => plans.filter((plan) => plan.collection === collection);
      // Hour and day buckets at once (independent documents, each with its own watermark), then the totals:
      // a key's total_queries (what /auth/api_key/list shows) never counts an event its buckets do not hold yet.
      // allSettled: a failure is reported only once neither write is still running.
      const buckets = await Promise.allSettled([
        this.applyCollection(partition, 'hourly', of('hourly')),
        this.applyCollection(partition, 'daily', of('daily')),
      ]);
      const failed = buckets.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
      // Every event lands in exactly one totals document: its skips are the batch's replayed events.
      alreadyApplied = await this.applyCollection(partition, 'totals', of('totals'));
      const written = this.clock().getTime();
      for (const plan of plans) {
        if (plan.collection !== 'totals') continue;
        for (const sample of plan.samples) this.eventAge.observe(Math.max(0, written - sample.occurredAtMs) / 1000);
      }
    }
    const aggregated = valid - alreadyApplied;
    if (aggregated) this.requests.inc({ outcome: 'aggregated' }, aggregated);
    if (alreadyApplied) this.requests.inc({ outcome: 'already_applied' }, alreadyApplied);
    return { aggregated, deadLettered: letters.length, alreadyApplied };
  }

  /**
   * Writes the plans of one collection. A document whose watermark is unknown is first assumed absent and
   * inserted (an insert is itself conditional: it fails if the document exists); documents that turn out
   * to exist, or whose watermark moved, are re-read and their delta recomputed. Returns the samples left
   * out because the documents already held them.
   */
  private async applyCollection(
    partition: number,
    collection: BucketCollection,
    plans: readonly BucketPlan[],
  ): Promise<number> {
    let pending = plans;
    let reread = new Set<string>();
    let skipped = 0;
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt >= MAX_WATERMARK_ATTEMPTS) {
        throw new Error(
          `Usage watermarks of partition ${partition} kept moving (${pending.length} ${collection} document(s)); the batch will be redelivered`,
        );
      }
      try {
        if (reread.size) {
          const read = await this.buckets.readWatermarks(collection, [...reread], partition);
          for (const [id, watermark] of read) this.watermarks.set(partition, collection, id, watermark);
        }
        const inserts: BucketInsert[] = [];
        const updates: BucketUpdate[] = [];
        const skippedOf = new Map<string, number>();
        for (const plan of pending) {
          // Never seen: assume absent and try an insert (null, "exists, nothing from this partition", is known).
          const cached = this.watermarks.get(partition, collection, plan.id);
          const state = cached === undefined ? 'absent' : cached;
          const delta = deltaAfter(plan.samples, typeof state === 'number' ? state : -1);
          skippedOf.set(plan.id, delta ? delta.skipped : requestsOf(plan.samples));
          if (!delta) continue;
          if (state === 'absent') inserts.push({ target: plan, delta });
          else updates.push({ id: plan.id, expected: state, delta });
        }
        const now = this.clock();
        const retry = new Set<string>([
          ...(await this.buckets.updateBuckets(collection, partition, updates, now)),
          ...(await this.buckets.insertBuckets(collection, partition, inserts, now)),
        ]);
        for (const { id, delta } of updates)
          if (!retry.has(id)) this.watermarks.set(partition, collection, id, delta.lastOffset);
        for (const { target, delta } of inserts)
          if (!retry.has(target.id)) this.watermarks.set(partition, collection, target.id, delta.lastOffset);
        this.writes.inc({ collection, kind: 'update' }, updates.length);
        this.writes.inc({ collection, kind: 'insert' }, inserts.length);
        for (const plan of pending) if (!retry.has(plan.id)) skipped += skippedOf.get(plan.id) ?? 0;
        if (retry.size) this.conflicts.inc(retry.size);
        pending = pending.filter((plan) => retry.has(plan.id));
        reread = retry;
      } catch (error) {
        // Partly applied: what this replica believes about these documents may be wrong now.
        for (const plan of pending) this.watermarks.forget(partition, collection, plan.id);
        throw error;
      }
    }
    return skipped;
  }
}

function requestsOf(samples: readonly UsageSample[]): number {
  let requests = 0;
  for (const sample of samples) requests += sample.count;
  return requests;
}

function deadLetterOf(
  batch: Pick<UsagePlan, 'topic' | 'partition'>,
  message: UsageMessage,
  reason: string,
  now: Date,
): DeadLetter {
  return {
    key: message.key?.toString('utf8') ?? null,
    record: {
      reason,
      source_topic: batch.topic,
      partition: batch.partition,
      offset: message.offset,
      failed_at: now.toISOString(),
      payload: (message.value?.toString('utf8') ?? '').slice(0, DEAD_LETTER_PAYLOAD_MAX_CHARS),
    },
  };
}
