// Who a failed key check counts against: the end client a guarded service names with its own Keycloak token, or
// the caller's own address, never an X-Forwarded-For anyone may write. Real key manager, Redis and Keycloak, and a
// built Auxip as the guard (`npx nx run-many -t build -p key-manager auxip` first).
import { generateApiKey } from '@rs/key-domain';
import { stackEndpoints, userToken } from '@rs/testing';
import Redis from 'ioredis';
import path from 'node:path';
import { type BuiltApp, startBuiltApp } from '../../../tools/built-app.cjs';
import { type RunningKeyManager, startKeyManager, uniqueDatabaseName } from './key-manager.harness';

const LIMIT = 10;
// A Redis database of its own: failure counts are per address, and every client of these tests is 127.0.0.1.
const REDIS_URL = `${stackEndpoints.redisUrl.replace(/\/\d*$/, '')}/12`;
const LOG_DIR = path.join(__dirname, '..', '..', '..', 'test-output', 'service-identity');

let km: RunningKeyManager;
let redis: Redis;

async function serviceToken(clientId: string, secret = `${clientId}-dev-secret`): Promise<string> {
  const response = await fetch(
    `${stackEndpoints.keycloakUrl}/realms/${stackEndpoints.realm}/protocol/openid-connect/token`,
    {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
    },
  );
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no client-credentials token for ${clientId}: ${response.status}`);
  return body.access_token;
}

async function check(headers: Record<string, string> = {}, apiKey = generateApiKey()) {
  const response = await fetch(`${km.url}/auth/check_key`, { headers: { 'x-api-key': apiKey, ...headers } });
  return { status: response.status, body: (await response.json()) as { code?: string; message?: string } };
}

function statuses(answers: Array<{ status: number }>): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of answers) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  km = await startKeyManager({
    MONGO_URL: stackEndpoints.mongoUrl(uniqueDatabaseName('rskeysid')),
    REDIS_URL,
    // No proxy in front: whatever a caller writes in X-Forwarded-For is only a header.
    TRUST_PROXY: 'none',
    CHECK_FAILURE_LIMIT: String(LIMIT),
    CHECK_FAILURE_WINDOW_SECONDS: '60',
  });
});

beforeEach(async () => {
  const keys = await redis.keys('rs:check-failures:*');
  if (keys.length) await redis.del(...keys);
});

afterAll(async () => {
  await km?.close();
  redis?.disconnect();
});

describe('unauthenticated callers', () => {
  it('should admit no more than the limit of 100 parallel bad keys from one client, then answer 429', async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, () => check()));
    expect(statuses(answers)).toEqual({ 403: LIMIT, 429: 100 - LIMIT });
  });

  it('should throttle by the socket address whatever X-Forwarded-For an unauthenticated caller forges', async () => {
    for (let i = 0; i < LIMIT; i++) {
      expect((await check({ 'x-forwarded-for': `198.51.100.${i + 1}` })).status).toBe(403);
    }
    expect(await check({ 'x-forwarded-for': '203.0.113.77' })).toMatchObject({
      status: 429,
      body: { code: 'RATE_LIMITED' },
    });
    expect(await redis.keys('rs:check-failures:*')).toEqual(['rs:check-failures:127.0.0.1']);
  });
});

describe('services with their own Keycloak client', () => {
  it("should count a service's check against the end client it names, not against the service", async () => {
    const token = await serviceToken('rs-auxip');
    const asAuxip = (client: string) => check({ authorization: `Bearer ${token}`, 'x-forwarded-for': client });
    for (let i = 0; i < LIMIT; i++) expect((await asAuxip('198.51.100.20')).status).toBe(403);
    expect((await asAuxip('198.51.100.20')).status).toBe(429);
    expect((await asAuxip('198.51.100.21')).status).toBe(403);
    expect((await check()).status).toBe(403); // the service's own address is not throttled
  });

  it('should count IPv6 end clients per /64', async () => {
    const token = await serviceToken('rs-cadip');
    const asCadip = (client: string) => check({ authorization: `Bearer ${token}`, 'x-forwarded-for': client });
    for (let i = 0; i < LIMIT; i++) expect((await asCadip(`2001:db8:5:6::${i + 1}`)).status).toBe(403);
    expect((await asCadip('2001:db8:5:6:ffff::1')).status).toBe(429);
    expect((await asCadip('2001:db8:5:7::1')).status).toBe(403);
  });

  it('should refuse with 401 SERVICE_TOKEN_INVALID, naming the reason, a token that does not check out', async () => {
    // A user's own valid token (Swagger UI sends it) names no service: the check goes on as without a token.
    const userTokenAnswer = await check({ authorization: `Bearer ${await userToken('alice')}` });
    expect(userTokenAnswer.status).not.toBe(401);
    expect(userTokenAnswer.body.code).not.toBe('SERVICE_TOKEN_INVALID');

    // The key manager's own client has no rs-server audience mapper: refused before its client is even looked at.
    const otherClient = await check({ authorization: `Bearer ${await serviceToken('rs-key-manager')}` });
    expect(otherClient).toMatchObject({ status: 401, body: { code: 'SERVICE_TOKEN_INVALID' } });
    expect(otherClient.body.message).toContain('audience invalid');

    const [header, payload] = (await serviceToken('rs-auxip')).split('.');
    const forged = await check({ authorization: `Bearer ${header}.${payload}.${'A'.repeat(342)}` });
    expect(forged).toMatchObject({ status: 401, body: { code: 'SERVICE_TOKEN_INVALID' } });
    expect(forged.body.message).toContain('invalid signature');
  });

  it("should refuse with 400 a service's X-Forwarded-For that does not start with an address", async () => {
    const answer = await check({ authorization: `Bearer ${await serviceToken('rs-auxip')}`, 'x-forwarded-for': 'me' });
    expect(answer).toMatchObject({ status: 400, body: { code: 'INVALID_PARAMETER' } });
  });
});

describe('a guard with service credentials', () => {
  let auxip: BuiltApp;

  beforeAll(async () => {
    auxip = await startBuiltApp('auxip', {
      logDir: LOG_DIR,
      env: {
        KEY_MANAGER_URL: km.url,
        KAFKA_ENABLED: 'false',
        KEY_CHECK_CLIENT_ID: 'rs-auxip',
        KEY_CHECK_CLIENT_SECRET: 'rs-auxip-dev-secret',
        // Auxip sits behind a reverse proxy on loopback here, so the test can be several end clients.
        TRUST_PROXY: 'loopback',
      },
    });
  }, 120_000);

  afterAll(() => auxip?.stop());

  it("should pass the end client's address, so one client's failures do not throttle another", async () => {
    const viaAuxip = async (client: string) =>
      (
        await fetch(`${auxip.url}/auxip/search`, {
          headers: { 'x-api-key': generateApiKey(), 'x-forwarded-for': client },
        })
      ).status;
    for (let i = 0; i < LIMIT; i++) expect(await viaAuxip('198.51.100.30')).toBe(403);
    expect(await viaAuxip('198.51.100.30')).toBe(429);
    expect(await viaAuxip('198.51.100.31')).toBe(403);
    expect((await redis.keys('rs:check-failures:*')).sort()).toEqual([
      'rs:check-failures:198.51.100.30',
      'rs:check-failures:198.51.100.31',
    ]);
  });
});
