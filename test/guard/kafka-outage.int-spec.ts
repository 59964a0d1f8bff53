// A guarded service whose Kafka goes away and comes back: requests keep being served (API key and bearer)
// and the usage counted during the outage arrives afterwards, once. The service gets a Kafka broker of its own
// (tools/stack in a separate state dir) so stopping it does not disturb anything else using the stack.
import { KEY_USAGE_TOPIC, type KeyUsageDeltaEventV2 } from '@rs/event-contracts';
import { dropDatabases, eventually, stackEndpoints, testKafka, userToken } from '@rs/testing';
import { randomUUID } from 'node:crypto';
import { PrivateKafka, type RunningApp, startBuiltApp, uniqueDatabase } from './guarded-apps.harness';
import { keyManagerApi } from './key-manager.client';

const PROBE = '/cadip/INS/session?platform=S1A&limit=1';

/** Every usage delta of `keyId` on the broker, read from the beginning of the topic. */
/** Requests counted by deltas. */
const requestsIn = (deltas: KeyUsageDeltaEventV2[]) =>
  deltas.flatMap((delta) => delta.routes).reduce((sum, route) => sum + route.count, 0);

async function usageDeltasOf(brokers: string[], keyId: string): Promise<KeyUsageDeltaEventV2[]> {
  const kafka = testKafka('guard-outage-test', { brokers });
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(KEY_USAGE_TOPIC);
  await admin.disconnect();
  const expected = offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  const consumer = kafka.consumer({ groupId: `guard-outage-${randomUUID()}` });
  const events: KeyUsageDeltaEventV2[] = [];
  let seen = 0;
  await consumer.connect();
  await consumer.subscribe({ topic: KEY_USAGE_TOPIC, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen++;
      if (message.key?.toString() === keyId)
        events.push(JSON.parse(message.value?.toString() ?? 'null') as KeyUsageDeltaEventV2);
    },
  });
  await eventually(
    () => {
      if (seen < expected) throw new Error(`read ${seen}/${expected}`);
    },
    20_000,
    100,
  );
  await consumer.disconnect();
  return events;
}

describe('a guarded service while its Kafka is down', () => {
  const database = uniqueDatabase('guardoutage');
  let kafka: PrivateKafka;
  let keyManager: RunningApp;
  let cadip: RunningApp;
  let token: string;

  beforeAll(async () => {
    kafka = await PrivateKafka.create();
    kafka.up();
    keyManager = await startBuiltApp('key-manager', { MONGO_URL: stackEndpoints.mongoUrl(database) });
    cadip = await startBuiltApp('cadip', { KEY_MANAGER_URL: keyManager.url, KAFKA_BROKERS: kafka.brokers.join(',') });
    await cadip.waitForLog('Connected to Kafka; publishing key usage events');
    token = await userToken('alice');
  }, 300_000);

  afterAll(async () => {
    await cadip?.stop();
    await keyManager?.stop();
    kafka?.down();
    await dropDatabases(database);
  });

  it('should keep serving, then deliver the usage counted during the outage, once', async () => {
    const name = `guard-outage-${randomUUID().slice(0, 8)}`;
    const api = keyManagerApi(keyManager.url);
    const key = await api.create(token, name);
    const keyId = await api.keyId(token, name);
    const call = (headers: Record<string, string>) =>
      fetch(`${cadip.url}${PROBE}`, { headers }).then((response) => response.status);

    for (let i = 0; i < 3; i++) expect(await call({ 'x-api-key': key })).toBe(200);
    await eventually(async () => expect(requestsIn(await usageDeltasOf(kafka.brokers, keyId))).toBe(3), 30_000, 500);

    kafka.down();
    for (let i = 0; i < 5; i++) expect(await call({ 'x-api-key': key })).toBe(200);
    expect(await call({ authorization: `Bearer ${token}` })).toBe(200);
    const metrics = await (await fetch(`${cadip.managementUrl}/metrics`)).text();
    expect(metrics).toMatch(/auth_guard_usage_requests_dropped_total 0/);

    kafka.up();
    const deltas = await eventually(
      async () => {
        const found = await usageDeltasOf(kafka.brokers, keyId);
        expect(requestsIn(found)).toBe(8);
        return found;
      },
      90_000,
      1000,
    );
    // Each window of the guard once: nothing published twice.
    const windows = deltas.map((delta) => `${delta.producer_id}/${delta.sequence}`);
    expect(new Set(windows).size).toBe(windows.length);
    const routes = deltas.flatMap((delta) => delta.routes);
    expect(routes.every((route) => route.route === '/cadip/:station/session' && route.status_class === 2)).toBe(true);
    expect(deltas.every((delta) => delta.service === 'cadip')).toBe(true);
  }, 240_000);
});
