// Lifecycle events also travel through Redis pub/sub: a guarded service whose Kafka is unreachable still refuses a
// revoked key within 1 s. Without that path its cached check would live the unconfirmed TTL (seconds) instead.
import { KEY_LIFECYCLE_CHANNEL } from '@rs/event-contracts';
import { dropDatabases, freePort, stackEndpoints, userToken } from '@rs/testing';
import { randomUUID } from 'node:crypto';
import { type RunningApp, startBuiltApp, uniqueDatabase } from './guarded-apps.harness';
import { keyManagerApi } from './key-manager.client';

const PROBE = '/cadip/INS/session?platform=S1A&limit=1';

describe('key lifecycle events through Redis', () => {
  const database = uniqueDatabase('guardredis');
  let keyManager: RunningApp;
  let cadip: RunningApp;
  let token: string;

  beforeAll(async () => {
    keyManager = await startBuiltApp('key-manager', { MONGO_URL: stackEndpoints.mongoUrl(database) });
    // Nothing listens on this port: the guard's Kafka subscription never joins.
    const deadKafka = `127.0.0.1:${await freePort()}`;
    cadip = await startBuiltApp('cadip', {
      KEY_MANAGER_URL: keyManager.url,
      KAFKA_BROKERS: deadKafka,
      REDIS_URL: stackEndpoints.redisUrl,
    });
    await cadip.waitForLog(`Listening to Redis channel ${KEY_LIFECYCLE_CHANNEL}`);
    token = await userToken('alice');
  }, 300_000);

  afterAll(async () => {
    await cadip?.stop();
    await keyManager?.stop();
    await dropDatabases(database);
  });

  it('should refuse a revoked key within 1 s while the guard cannot reach Kafka', async () => {
    const name = `guard-redis-${randomUUID().slice(0, 8)}`;
    const api = keyManagerApi(keyManager.url);
    const key = await api.create(token, name);
    const call = () => fetch(`${cadip.url}${PROBE}`, { headers: { 'x-api-key': key } }).then((r) => r.status);
    // Cached now, for the unconfirmed TTL: from here the guard does not ask the key manager about this key.
    expect(await call()).toBe(200);
    expect(await call()).toBe(200);

    const revokedAt = Date.now();
    await api.revoke(token, key);
    let delay = -1;
    while (delay < 0) {
      if ((await call()) === 403) delay = Date.now() - revokedAt;
      else if (Date.now() - revokedAt > 5000) throw new Error('cadip still accepts the key 5 s after the revocation');
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
    console.log(`revocation reached cadip through Redis in ${delay} ms (its Kafka unreachable)`);
    expect(delay).toBeLessThan(1000);
    const metrics = await (await fetch(`${cadip.managementUrl}/metrics`)).text();
    expect(metrics).toMatch(/auth_guard_key_cache_evictions_total\{[^}]*action="revoked"[^}]*\} [1-9]/);
  }, 120_000);
});
