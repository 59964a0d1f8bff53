import type { DeadLetterRecordV1, KeyUsageEventV1 } from '@rs/event-contracts';
import { eventually } from '@rs/testing';
import { newRun, RunFixtures, usageEvent, WorkerProcess } from './key-worker.harness';

const HOUR = 3_600_000;

interface UsageCounters {
  count: number;
  count_2xx: number;
  count_4xx: number;
  count_5xx: number;
  latency_sum_ms: number;
  latency_max_ms: number;
}

/** What the aggregates must hold for `events`, computed independently of the worker's code. */
function expectedHourBuckets(events: KeyUsageEventV1[]): Map<string, UsageCounters> {
  const buckets = new Map<string, UsageCounters>();
  for (const event of events) {
    const hour = new Date(Math.floor(Date.parse(event.occurred_at) / HOUR) * HOUR).toISOString();
    const key = [event.key_id, event.service, event.method, event.route, hour].join(' ');
    const bucket = buckets.get(key) ?? {
      count: 0,
      count_2xx: 0,
      count_4xx: 0,
      count_5xx: 0,
      latency_sum_ms: 0,
      latency_max_ms: 0,
    };
    bucket.count++;
    if (event.status >= 200 && event.status < 300) bucket.count_2xx++;
    if (event.status >= 400 && event.status < 500) bucket.count_4xx++;
    if (event.status >= 500) bucket.count_5xx++;
    bucket.latency_sum_ms += event.latency_ms;
    bucket.latency_max_ms = Math.max(bucket.latency_max_ms, event.latency_ms);
    buckets.set(key, bucket);
  }
  return buckets;
}

describe('key-worker usage aggregation (real Kafka and Mongo-wire DB)', () => {
  const run = newRun('kwagg');
  const fixtures = new RunFixtures(run);
  let worker: WorkerProcess;

  beforeAll(async () => {
    worker = await WorkerProcess.start(run);
    await worker.joined();
  }, 90_000);

  afterAll(async () => {
    await worker?.stop();
    await fixtures.cleanUp();
  }, 60_000);

  it('should aggregate events into hour buckets, day buckets and key totals with exact counts, status classes and latencies', async () => {
    const now = Date.now();
    const events: KeyUsageEventV1[] = [];
    const routes = ['/cadip/:station/session', '/cadip/:station/cadu/search', '/auxip/search'];
    for (let index = 0; index < 600; index++) {
      const hoursAgo = index % 3 === 0 ? 2 : index % 7 === 0 ? 30 : 0;
      events.push(
        usageEvent(`agg-${index % 4}`, {
          occurred_at: new Date(now - hoursAgo * HOUR - (index % 60) * 1000).toISOString(),
          route: routes[index % 3],
          service: index % 3 === 2 ? 'auxip' : 'cadip',
          method: index % 5 === 0 ? 'POST' : 'GET',
          status: [200, 201, 404, 503, 302][index % 5],
          latency_ms: (index * 37) % 250,
        }),
      );
    }
    await fixtures.produceEvents(events);
    await eventually(async () => expect(await fixtures.totalQueries()).toBe(600), 60_000, 250);

    const hourly = await fixtures.db.collection('api_key_usage_hourly').find({}).toArray();
    const expected = expectedHourBuckets(events);
    expect(hourly).toHaveLength(expected.size);
    for (const doc of hourly) {
      const key = [
        doc['key_id'],
        doc['service'],
        doc['method'],
        doc['route'],
        (doc['hour'] as Date).toISOString(),
      ].join(' ');
      expect({
        key,
        ...pick(doc, ['count', 'count_2xx', 'count_4xx', 'count_5xx', 'latency_sum_ms', 'latency_max_ms']),
      }).toEqual({
        key,
        ...expected.get(key),
      });
    }
    const daily = await fixtures.db.collection('api_key_usage_daily').find({}).toArray();
    expect(daily.reduce((sum, doc) => sum + Number(doc['count']), 0)).toBe(600);
    expect(daily.reduce((sum, doc) => sum + Number(doc['latency_sum_ms']), 0)).toBe(
      events.reduce((sum, event) => sum + event.latency_ms, 0),
    );

    const totals = await fixtures.db.collection('api_key_usage_totals').find({}).sort({ _id: 1 }).toArray();
    const latestOf = (keyId: string) =>
      Math.max(...events.filter((event) => event.key_id === keyId).map((event) => Date.parse(event.occurred_at)));
    expect(
      totals.map((doc) => [doc['_id'], doc['total_queries'], (doc['latest_query_date'] as Date).getTime()]),
    ).toEqual(['agg-0', 'agg-1', 'agg-2', 'agg-3'].map((keyId) => [keyId, 150, latestOf(keyId)]));
  }, 90_000);

  it('should send malformed messages to the dead-letter topic with the reason and go on consuming', async () => {
    const recorded: DeadLetterRecordV1[] = [];
    const consumer = fixtures.kafka.consumer({ groupId: `${run.group}.dlq-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: run.deadLetterTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) =>
        void recorded.push(JSON.parse(message.value?.toString() ?? 'null') as DeadLetterRecordV1),
    });
    try {
      const before = await fixtures.totalQueries(['dlq-ok']);
      await fixtures.produce([
        { key: 'dlq-ok', value: JSON.stringify(usageEvent('dlq-ok')) },
        { key: 'dlq-bad-1', value: 'this is not JSON' },
        { key: 'dlq-bad-2', value: JSON.stringify({ ...usageEvent('dlq-bad-2'), status: 'teapot' }) },
        { key: 'dlq-bad-3', value: JSON.stringify({ ...usageEvent('dlq-bad-3'), version: 2 }) },
        { key: 'dlq-ok', value: JSON.stringify(usageEvent('dlq-ok')) },
      ]);
      await eventually(() => expect(recorded).toHaveLength(3), 30_000, 200);
      expect(recorded.map((record) => record.reason).sort()).toEqual([
        "field 'status' is missing or invalid",
        "field 'version' is missing or invalid",
        'payload is not valid JSON',
      ]);
      expect(recorded.find((record) => record.reason === 'payload is not valid JSON')).toMatchObject({
        source_topic: run.usageTopic,
        payload: 'this is not JSON',
      });
      // The consumer did not stop: valid events around the bad ones, and after them, are counted.
      await fixtures.produce([{ key: 'dlq-ok', value: JSON.stringify(usageEvent('dlq-ok')) }]);
      await eventually(async () => expect(await fixtures.totalQueries(['dlq-ok'])).toBe(before + 3), 30_000, 200);
      expect(await worker.metric('key_worker_usage_dead_letters_total')).toBe(3);
      expect(await worker.metric('key_worker_usage_dead_letters_total', 'reason="unknown_version"')).toBe(1);
    } finally {
      await consumer.disconnect();
    }
  }, 90_000);
});

function pick(doc: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((field) => [field, doc[field]]));
}
