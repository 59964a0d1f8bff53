// The shared guard across the real key manager and the three guarded services (built apps), with the real
// Keycloak, Kafka and Mongo-wire DB: bearer and API key on every service, roles, usage events, and revocation
// reaching every service within a second.
import {
  KEY_LIFECYCLE_TOPIC,
  KEY_USAGE_TOPIC,
  type KeyLifecycleEventV1,
  type KeyUsageDeltaEventV2,
} from '@rs/event-contracts';
import {
  dropDatabases,
  eventually,
  recordTopic,
  stackEndpoints,
  testKafka,
  type TopicRecorder,
  userToken,
} from '@rs/testing';
import { MongoClient } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { type RunningApp, startBuiltApp, uniqueDatabase } from './guarded-apps.harness';
import { keyManagerApi } from './key-manager.client';

const LIFECYCLE_LISTENING = 'Listening to rs.apikey.lifecycle.v1';

/** One protected GET per service that alice's roles open and bob's do not. */
const PROBES = {
  auxip: { path: '/auxip/search?limit=1', route: '/auxip/search', bobMissing: 'rs_auxip_adgs_read' },
  cadip: {
    path: '/cadip/MTI/session?platform=S1A&limit=1',
    route: '/cadip/:station/session',
    bobMissing: 'rs_cadip_mti_read',
  },
  catalog: {
    path: '/catalog/collections/alice:s1-l1/items?limit=1',
    route: '/catalog/collections/:collectionId/items',
    bobMissing: 'rs_catalog_alice:s1-l1_read',
  },
} as const;
type ServiceName = keyof typeof PROBES;
const SERVICES = Object.keys(PROBES) as ServiceName[];

describe('auth guard across the platform', () => {
  const databases = [uniqueDatabase('guardkeys'), uniqueDatabase('guardcatalog')];
  const apps: Partial<Record<'key-manager' | ServiceName, RunningApp>> = {};
  const tokens: Record<string, string> = {};
  let usage: TopicRecorder<KeyUsageDeltaEventV2>;

  const url = (service: ServiceName) => `${apps[service]?.url}${PROBES[service].path}`;
  const get = (target: string, headers: Record<string, string>) => fetch(target, { headers });
  const api = () => keyManagerApi(apps['key-manager']?.url as string);

  beforeAll(async () => {
    apps['key-manager'] = await startBuiltApp('key-manager', {
      MONGO_URL: stackEndpoints.mongoUrl(databases[0] as string),
    });
    const keyManagerUrl = apps['key-manager'].url;
    const started = await Promise.all(
      SERVICES.map((service) =>
        startBuiltApp(service, {
          KEY_MANAGER_URL: keyManagerUrl,
          ...(service === 'catalog' ? { MONGO_URL: stackEndpoints.mongoUrl(databases[1] as string) } : {}),
        }),
      ),
    );
    started.forEach((app, index) => (apps[SERVICES[index] as ServiceName] = app));
    // Revocations are only seen by guards whose lifecycle consumer has joined (they start at the newest offset).
    await Promise.all(started.map((app) => app.waitForLog(LIFECYCLE_LISTENING)));
    for (const user of ['alice', 'bob']) tokens[user] = await userToken(user);
    // The catalog seeds its samples in the background.
    await eventually(
      async () => {
        const response = await get(url('catalog'), { authorization: `Bearer ${tokens['alice']}` });
        if (response.status !== 200) throw new Error(`catalog answered ${response.status}`);
      },
      30_000,
      200,
    );
    usage = await recordTopic<KeyUsageDeltaEventV2>(KEY_USAGE_TOPIC);
  }, 240_000);

  afterAll(async () => {
    await usage?.stop();
    await Promise.all(Object.values(apps).map((app) => app?.stop()));
    await dropDatabases(...databases);
  });

  it('should keep /metrics and the dependency report of every app on its management port', async () => {
    for (const app of Object.values(apps) as RunningApp[]) {
      const ready = await fetch(`${app.url}/health/ready`);
      expect({ app: app.name, status: ready.status, body: await ready.json() }).toEqual({
        app: app.name,
        status: 200,
        body: { status: 'ok' },
      });
      expect({ app: app.name, status: (await fetch(`${app.url}/metrics`)).status }).toEqual({
        app: app.name,
        status: 404,
      });
      const report = await (await fetch(`${app.managementUrl}/health/ready`)).json();
      expect(report).toMatchObject({ status: 'ok', checks: { keycloak: 'up' } });
      const metrics = await (await fetch(`${app.managementUrl}/metrics`)).text();
      expect(metrics).toContain('http_request_duration_seconds_bucket');
    }
  });

  it.each(SERVICES)('should accept a Keycloak token on %s', async (service) => {
    expect((await get(url(service), { authorization: `Bearer ${tokens['alice']}` })).status).toBe(200);
  });

  it.each(SERVICES)('should refuse a missing role on %s, naming it', async (service) => {
    const response = await get(url(service), { authorization: `Bearer ${tokens['bob']}` });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toContain(PROBES[service].bobMissing);
  });

  it('should accept an API key on every service (header, query parameter, path prefix) and publish its usage', async () => {
    const name = `guard-it-${randomUUID().slice(0, 8)}`;
    const key = await api().create(tokens['alice'] as string, name);
    const keyId = await api().keyId(tokens['alice'] as string, name);
    for (const service of SERVICES) {
      const base = apps[service]?.url as string;
      const path = PROBES[service].path;
      expect((await get(`${base}${path}`, { 'x-api-key': key })).status).toBe(200);
      expect((await get(`${base}${path}&api-key=${key}`, {})).status).toBe(200);
      expect((await get(`${base}/k/${key}${path}`, {})).status).toBe(200);
    }
    const refused = await get(url('cadip').replace('/MTI/', '/XYZ/'), { 'x-api-key': key });
    expect(refused.status).toBe(404);

    // One route entry per service, method, route and status class, summed over the deltas of the key.
    const counts = () => {
      const deltas = usage.messages.filter((message) => message.key === keyId).map((message) => message.value);
      const byRoute = new Map<string, number>();
      for (const delta of deltas) {
        for (const route of delta.routes) {
          const name = `${delta.service} ${route.method} ${route.route} ${route.status_class}xx`;
          byRoute.set(name, (byRoute.get(name) ?? 0) + route.count);
        }
      }
      return { deltas, byRoute: Object.fromEntries(byRoute) };
    };
    await eventually(
      () => {
        expect(Object.values(counts().byRoute).reduce((sum, count) => sum + count, 0)).toBe(10);
      },
      15_000,
      200,
    );
    const { deltas, byRoute } = counts();
    expect(byRoute).toEqual({
      ...Object.fromEntries(SERVICES.map((service) => [`${service} GET ${PROBES[service].route} 2xx`, 3])),
      'cadip GET /cadip/:station/session 4xx': 1,
    });
    expect(deltas.every((delta) => delta.key_id === keyId && !JSON.stringify(delta).includes(key))).toBe(true);
  });

  it.each(SERVICES)('should send security headers on %s, its Swagger UI included', async (service) => {
    const response = await get(`${apps[service]?.url}/docs/`, {});
    expect(response.status).toBe(200);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('should refuse an API key on the key manager itself (Keycloak tokens only there)', async () => {
    const name = `guard-km-${randomUUID().slice(0, 8)}`;
    const key = await api().create(tokens['alice'] as string, name);
    const response = await get(`${apps['key-manager']?.url}/auth/api_key/list`, { 'x-api-key': key });
    expect(response.status).toBe(401);
  });

  it('should refuse a revoked key on every service within 1 s', async () => {
    const name = `guard-revoke-${randomUUID().slice(0, 8)}`;
    const key = await api().create(tokens['alice'] as string, name);
    // Warm every cache: from now on the services do not ask the key manager about this key.
    for (const service of SERVICES) expect((await get(url(service), { 'x-api-key': key })).status).toBe(200);

    const revokedAt = Date.now();
    await api().revoke(tokens['alice'] as string, key);
    const delays = await Promise.all(
      SERVICES.map(async (service) => {
        for (;;) {
          const response = await get(url(service), { 'x-api-key': key });
          if (response.status === 403) return Date.now() - revokedAt;
          if (Date.now() - revokedAt > 5000)
            throw new Error(`${service} still answers ${response.status} 5 s after the revocation`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }),
    );
    console.log(
      `revocation reached ${SERVICES.map((service, index) => `${service} in ${delays[index]} ms`).join(', ')}`,
    );
    for (const delay of delays) expect(delay).toBeLessThan(1000);
  });

  it('should accept a rotated-out value during its grace period, then refuse it on every service within 1 s', async () => {
    const name = `guard-rotate-${randomUUID().slice(0, 8)}`;
    const key = await api().create(tokens['alice'] as string, name);
    // Cached everywhere before the rotation: the `rotated` event must not let these entries outlive the grace period.
    for (const service of SERVICES) expect((await get(url(service), { 'x-api-key': key })).status).toBe(200);

    // 0.001 hours: 3.6 s.
    const rotated = await api().rotate(tokens['alice'] as string, key, 0.001);
    const graceEnd = Date.parse(rotated.previous_secret_expires_at);
    for (const service of SERVICES) {
      expect((await get(url(service), { 'x-api-key': rotated.api_key })).status).toBe(200);
      expect((await get(url(service), { 'x-api-key': key })).status).toBe(200);
    }
    expect(Date.now()).toBeLessThan(graceEnd);
    const delays = await Promise.all(
      SERVICES.map(async (service) => {
        for (;;) {
          const response = await get(url(service), { 'x-api-key': key });
          if (response.status === 403) return Date.now() - graceEnd;
          if (Date.now() - graceEnd > 5000)
            throw new Error(`${service} still answers ${response.status} 5 s after the grace period ended`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }),
    );
    console.log(
      `grace end reached ${SERVICES.map((service, index) => `${service} in ${delays[index]} ms`).join(', ')}`,
    );
    // Never before its end (the value still worked then), and within a second after it.
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(0);
    for (const delay of delays) expect(delay).toBeLessThan(1000);
    for (const service of SERVICES)
      expect((await get(url(service), { 'x-api-key': rotated.api_key })).status).toBe(200);
  });

  it('should refuse a route to a key narrowed to other scopes within 1 s, keeping the others', async () => {
    const name = `guard-scopes-${randomUUID().slice(0, 8)}`;
    const key = await api().create(tokens['alice'] as string, name);
    // Cached before the change: the `scopes_changed` event must drop the checks that still carry every role.
    for (const service of ['auxip', 'cadip'] as const)
      expect((await get(url(service), { 'x-api-key': key })).status).toBe(200);

    const changedAt = Date.now();
    const entry = await api().setScopes(tokens['alice'] as string, key, [PROBES.cadip.bobMissing]);
    expect(entry).toMatchObject({ scopes: [PROBES.cadip.bobMissing], iam_roles: [PROBES.cadip.bobMissing] });
    let delay = 0;
    for (;;) {
      const response = await get(url('auxip'), { 'x-api-key': key });
      delay = Date.now() - changedAt;
      if (response.status === 403) {
        expect(((await response.json()) as { message: string }).message).toContain(PROBES.auxip.bobMissing);
        break;
      }
      if (delay > 5000) throw new Error(`auxip still answers ${response.status} 5 s after the scopes changed`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    console.log(`narrowed scopes reached auxip in ${delay} ms`);
    expect(delay).toBeLessThan(1000);
    expect((await get(url('cadip'), { 'x-api-key': key })).status).toBe(200);
  });

  /** Every service's answers to the key, `times` rounds `everyMs` apart. */
  async function answers(key: string, times: number, everyMs: number): Promise<number[]> {
    const seen: number[] = [];
    for (let round = 0; round < times; round++) {
      for (const service of SERVICES) seen.push((await get(url(service), { 'x-api-key': key })).status);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
    return seen;
  }

  it('should keep a renewed key working at every service, ignoring a lifecycle event older than its state', async () => {
    const name = `guard-order-${randomUUID().slice(0, 8)}`;
    const key = await api().create(tokens['alice'] as string, name);
    await api().revoke(tokens['alice'] as string, key);
    await api().renew(tokens['alice'] as string, key);
    await eventually(async () => expect(new Set(await answers(key, 1, 0))).toEqual(new Set([200])), 5000, 100);

    const check = await fetch(`${apps['key-manager']?.url}/auth/check_key`, { headers: { 'x-api-key': key } });
    const { key_id, user_id, state_version } = (await check.json()) as {
      key_id: string;
      user_id: string;
      state_version: number;
    };
    expect(state_version).toBeGreaterThanOrEqual(3);
    // The key document keeps no event once Kafka has taken it.
    const client = await MongoClient.connect(stackEndpoints.mongoUrl(databases[0] as string));
    await eventually(
      async () => {
        const stored = await client
          .db()
          .collection('api_keys')
          .findOne({ _id: key_id as never });
        expect(stored?.['pending_events'] ?? []).toEqual([]);
      },
      5000,
      200,
    );
    await client.close();

    // A `revoked` delivered late (its state is older than the renewal the services hold) changes nothing...
    const producer = testKafka('guard-order-test').producer();
    await producer.connect();
    const revoked = (version: number): KeyLifecycleEventV1 => ({
      event_id: randomUUID(),
      type: 'key.lifecycle',
      version: 1,
      occurred_at: new Date().toISOString(),
      action: 'revoked',
      key_id,
      user_id,
      actor: user_id,
      state_version: version,
    });
    try {
      await producer.send({
        topic: KEY_LIFECYCLE_TOPIC,
        messages: [{ key: key_id, value: JSON.stringify(revoked(state_version - 1)) }],
      });
      expect(new Set(await answers(key, 10, 100))).toEqual(new Set([200]));
      // ...while one newer than it is obeyed at once: the services do read these events.
      await producer.send({
        topic: KEY_LIFECYCLE_TOPIC,
        messages: [{ key: key_id, value: JSON.stringify(revoked(state_version + 1)) }],
      });
      await eventually(async () => expect(new Set(await answers(key, 1, 0))).toEqual(new Set([403])), 2000, 50);
    } finally {
      await producer.disconnect();
    }
  });
});
