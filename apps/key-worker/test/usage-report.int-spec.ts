import { eventually, userToken } from '@rs/testing';
import { newRun, RunFixtures, usageEvent, WorkerProcess } from './key-worker.harness';

const HOUR = 3_600_000;

/**
 * The aggregates contract end to end: events of a real key go through the worker, and the built key
 * manager reads them back in /auth/api_key/usage (hour and day) and /auth/api_key/list (totals).
 */
describe('usage report in the key manager, from the worker aggregates', () => {
  const run = newRun('kwreport');
  const fixtures = new RunFixtures(run);
  let worker: WorkerProcess;
  let keyManager: WorkerProcess;

  const get = async (path: string, user: string) =>
    fetch(`${keyManager.url}${path}`, { headers: { authorization: `Bearer ${await userToken(user)}` } });

  beforeAll(async () => {
    [worker, keyManager] = await Promise.all([WorkerProcess.start(run), WorkerProcess.startKeyManager(run)]);
    await worker.joined();
  }, 120_000);

  afterAll(async () => {
    await Promise.all([worker?.stop(), keyManager?.stop()]);
    await fixtures.cleanUp();
  }, 60_000);

  it("should report a key's usage per hour and per day to its owner and to admins, and 404 to anyone else", async () => {
    expect((await get('/auth/api_key/new?name=usage-report-it', 'alice')).status).toBe(200);
    const keys = (await (await get('/auth/api_key/list', 'alice')).json()) as Array<{
      id: string;
      name: string;
      user_id: string;
    }>;
    const key = keys.find((candidate) => candidate.name === 'usage-report-it');
    expect(key).toBeDefined();
    const keyId = key?.id as string;

    const now = Date.now();
    await fixtures.produceEvents([
      ...Array.from({ length: 20 }, (_, index) =>
        usageEvent(keyId, { user_id: key?.user_id, occurred_at: new Date(now - index).toISOString(), latency_ms: 10 }),
      ),
      ...Array.from({ length: 10 }, () =>
        usageEvent(keyId, {
          user_id: key?.user_id,
          occurred_at: new Date(now - 2 * HOUR).toISOString(),
          status: 404,
          latency_ms: 30,
          route: '/auxip/search',
          service: 'auxip',
        }),
      ),
    ]);
    await eventually(async () => expect(await fixtures.totalQueries([keyId])).toBe(30), 30_000, 200);

    const from = new Date(now - 3 * HOUR).toISOString();
    const hourly = await get(`/auth/api_key/usage?id=${keyId}&granularity=hour&from=${from}`, 'alice');
    expect(hourly.status).toBe(200);
    const report = (await hourly.json()) as {
      total: { count: number; count_2xx: number; count_4xx: number; latency_avg_ms: number; latency_max_ms: number };
      buckets: Array<{ count: number }>;
      routes: Array<{ service: string; route: string; count: number }>;
    };
    expect(report.total).toMatchObject({ count: 30, count_2xx: 20, count_4xx: 10, latency_max_ms: 30 });
    expect(report.total.latency_avg_ms).toBeCloseTo((20 * 10 + 10 * 30) / 30, 3);
    expect(report.buckets.map((bucket) => bucket.count)).toEqual([10, 20]);
    expect(report.routes.map((route) => [route.service, route.route, route.count])).toEqual([
      ['cadip', '/cadip/:station/session', 20],
      ['auxip', '/auxip/search', 10],
    ]);

    const daily = (await (await get(`/auth/api_key/usage?id=${keyId}&granularity=day`, 'alice')).json()) as {
      total: { count: number };
    };
    expect(daily.total.count).toBe(30);
    const admin = (await (await get(`/auth/api_key/usage?id=${keyId}&granularity=day`, 'rsadmin')).json()) as {
      total: { count: number };
    };
    expect(admin.total.count).toBe(30);
    expect((await get(`/auth/api_key/usage?id=${keyId}`, 'bob')).status).toBe(404);

    // The list reads the totals document the worker maintains (contract).
    const listed = (await (await get('/auth/api_key/list', 'alice')).json()) as Array<{
      id: string;
      total_queries: number;
      latest_query_date: string;
    }>;
    expect(listed.find((candidate) => candidate.id === keyId)).toMatchObject({
      total_queries: 30,
      latest_query_date: new Date(now).toISOString(),
    });
  }, 120_000);
});
