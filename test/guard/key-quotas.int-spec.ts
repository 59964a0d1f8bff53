// Per-key request limits across replicas: two Cadip instances share the counts of each key in the stack's Redis,
// a third one is given a Redis that does not answer. Real key manager, Keycloak and Kafka.
import { freePort, stackEndpoints, userToken } from '@rs/testing';
import { randomUUID } from 'node:crypto';
import { type RunningApp, startBuiltApp, uniqueDatabase } from './guarded-apps.harness';

const PROBE = '/cadip/INS/session?platform=S1A&limit=1';

interface Answer {
  status: number;
  headers: Headers;
  code?: string;
}

describe('per-key request limits across guard replicas', () => {
  const database = uniqueDatabase('quotakeys');
  let keyManager: RunningApp;
  let replicas: RunningApp[];
  let withoutRedis: RunningApp;
  const tokens: Record<string, string> = {};

  const createKey = async (user: string, rateLimitPerMinute?: number): Promise<string> => {
    const query = new URLSearchParams({ name: `quota-it-${randomUUID().slice(0, 8)}` });
    if (rateLimitPerMinute !== undefined) query.set('rate_limit_per_minute', String(rateLimitPerMinute));
    const response = await fetch(`${keyManager.url}/auth/api_key/new?${query}`, {
      headers: { authorization: `Bearer ${tokens[user]}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as string;
  };

  const call = async (app: RunningApp, headers: Record<string, string>): Promise<Answer> => {
    const response = await fetch(`${app.url}${PROBE}`, { headers });
    const body = (await response.json()) as { code?: string };
    return { status: response.status, headers: response.headers, code: body.code };
  };

  /** `count` requests of the key, spread over both replicas, `parallel` at a time. */
  const burst = async (apiKey: string, count: number, parallel = 10): Promise<Answer[]> => {
    const answers: Answer[] = [];
    for (let sent = 0; sent < count; sent += parallel)
      answers.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(parallel, count - sent) }, (_, index) =>
            call(replicas[(sent + index) % 2] as RunningApp, { 'x-api-key': apiKey }),
          ),
        )),
      );
    return answers;
  };

  /** Waits for a fresh UTC minute when the current one has too little left for a burst to stay inside it. */
  const withinOneMinute = async () => {
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 25_000) await new Promise((resolve) => setTimeout(resolve, left + 200));
  };

  beforeAll(async () => {
    keyManager = await startBuiltApp('key-manager', { MONGO_URL: stackEndpoints.mongoUrl(database) });
    const guarded = { KEY_MANAGER_URL: keyManager.url, REDIS_URL: stackEndpoints.redisUrl };
    replicas = await Promise.all([startBuiltApp('cadip', guarded), startBuiltApp('cadip', guarded)]);
    // Nothing listens there: connections are refused.
    withoutRedis = await startBuiltApp('cadip', { ...guarded, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    for (const user of ['alice', 'bob']) tokens[user] = await userToken(user);
  }, 240_000);

  afterAll(async () => {
    await Promise.all([keyManager, ...(replicas ?? []), withoutRedis].map((app) => app?.stop()));
  });

  it('should enforce rate_limit_per_minute across both replicas, never above it, with the 429 headers', async () => {
    const apiKey = await createKey('alice', 20);
    await withinOneMinute();
    const answers = await burst(apiKey, 40);
    const allowed = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status !== 200);
    // The shared counter grants at most the limit; tokens one replica holds unspent (at most 1.5 batches of 2)
    // may refuse requests on the other a little early.
    expect(allowed.length).toBeLessThanOrEqual(20);
    expect(allowed.length).toBeGreaterThanOrEqual(20 - 2 * 3);
    expect(new Set(refused.map((answer) => `${answer.status} ${answer.code}`))).toEqual(
      new Set(['429 KEY_RATE_LIMITED']),
    );
    const [first] = refused as [Answer];
    const retryAfter = Number(first.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect({
      limit: first.headers.get('ratelimit-limit'),
      remaining: first.headers.get('ratelimit-remaining'),
      reset: first.headers.get('ratelimit-reset'),
    }).toEqual({ limit: '20', remaining: '0', reset: String(retryAfter) });
    // Allowed answers carry the RateLimit fields once half of the limit is spent, not before.
    const paced = allowed.filter((answer) => answer.headers.get('ratelimit-limit') === '20');
    expect(paced.length).toBeGreaterThan(0);
    expect(paced.length).toBeLessThan(allowed.length);
    for (const answer of paced) expect(Number(answer.headers.get('ratelimit-remaining'))).toBeLessThanOrEqual(10);
  });

  it('should list the per-minute limit of a key, and refuse one out of bounds naming it', async () => {
    await createKey('alice', 30);
    const listed = (await (
      await fetch(`${keyManager.url}/auth/api_key/list`, { headers: { authorization: `Bearer ${tokens['alice']}` } })
    ).json()) as Array<{ rate_limit_per_minute: number | null }>;
    expect(listed.map((key) => key.rate_limit_per_minute)).toContain(30);
    for (const value of ['0', '100001', 'ten']) {
      const response = await fetch(`${keyManager.url}/auth/api_key/new?name=bad&rate_limit_per_minute=${value}`, {
        headers: { authorization: `Bearer ${tokens['alice']}` },
      });
      expect({
        value,
        status: response.status,
        parameter: ((await response.json()) as { parameter?: string }).parameter,
      }).toEqual({ value, status: 400, parameter: 'rate_limit_per_minute' });
    }
  });

  it('should not limit Keycloak tokens by key limits', async () => {
    const apiKey = await createKey('alice', 1);
    await burst(apiKey, 4);
    const bearer = await Promise.all(replicas.map((app) => call(app, { authorization: `Bearer ${tokens['alice']}` })));
    expect(bearer.map((answer) => answer.status)).toEqual([200, 200]);
  });

  it("should enforce the owner's max_requests_per_day until UTC midnight", async () => {
    // bob's max_requests_per_day is 100 in the development realm (docker/keycloak/rs-server-realm.json).
    const apiKey = await createKey('bob');
    const answers = await burst(apiKey, 110);
    const allowed = answers.filter((answer) => answer.status === 200).length;
    expect(allowed).toBeLessThanOrEqual(100);
    expect(allowed).toBeGreaterThanOrEqual(100 - 2 * 15);
    const refused = answers.find((answer) => answer.status === 429) as Answer;
    expect(refused.code).toBe('KEY_QUOTA_EXCEEDED');
    expect(refused.headers.get('ratelimit-limit')).toBe('100');
    const untilMidnight = (86_400_000 - (Date.now() % 86_400_000)) / 1000;
    expect(Math.abs(Number(refused.headers.get('retry-after')) - untilMidnight)).toBeLessThan(60);
    // Refused on a replica that never served the key as well: the count is shared.
    const third = await call(replicas[0] as RunningApp, { 'x-api-key': apiKey });
    expect(third.status).toBe(429);
  });

  it('should let keys through when Redis is unreachable, and say so in a metric and the log', async () => {
    const apiKey = await createKey('alice', 2);
    const answers = await Promise.all(Array.from({ length: 6 }, () => call(withoutRedis, { 'x-api-key': apiKey })));
    expect(answers.map((answer) => answer.status)).toEqual(Array(6).fill(200));
    const metrics = await (await fetch(`${withoutRedis.managementUrl}/metrics`)).text();
    expect(metrics).toMatch(/^auth_guard_quota_store_unavailable 1$/m);
    expect(Number(/^auth_guard_quota_unenforced_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(6);
    await withoutRedis.waitForLog('Quota store (Redis) unreachable', 5_000);
  });
});
