// On the real stack: an administrator's revocation is final, security headers, and the key policy limits.
import { dropDatabases, stackEndpoints, userToken } from '@rs/testing';
import { MongoClient } from 'mongodb';
import { keyManagerCaller, type RunningKeyManager, startKeyManager, uniqueDatabaseName } from './key-manager.harness';

const MAX_ACTIVE_KEYS = 3;
const tokens: Record<string, string> = {};
const { call } = keyManagerCaller('10.17');

beforeAll(async () => {
  for (const user of ['alice', 'bob', 'rsadmin']) tokens[user] = await userToken(user);
});

describe('revocation by an administrator', () => {
  const database = uniqueDatabaseName('rskeysrevoke');
  let km: RunningKeyManager;
  let mongo: MongoClient;

  beforeAll(async () => {
    km = await startKeyManager({ MONGO_URL: stackEndpoints.mongoUrl(database) });
    mongo = await MongoClient.connect(stackEndpoints.mongoUrl(database));
  });

  afterAll(async () => {
    await km?.close();
    await mongo?.close();
    await dropDatabases(database);
  });

  async function createKey(user: string): Promise<{ key: string; id: string }> {
    const created = await call(km, `/auth/api_key/new?name=policy-${Date.now()}`, { token: tokens[user] });
    expect(created.status).toBe(200);
    const key = created.body as string;
    return { key, id: (await call(km, '/auth/check_key', { apiKey: key })).body.key_id as string };
  }

  it('should refuse the owner’s renewal of a key an administrator revoked, and keep the key refused', async () => {
    const { key, id } = await createKey('bob');
    const revoked = await call(km, `/auth/admin/api_key/revoke?id=${id}&reason=leaked`, { token: tokens['rsadmin'] });
    expect(revoked).toMatchObject({ status: 200, body: { is_active: false } });

    for (const path of [`/auth/api_key/renew?id=${id}`, `/auth/api_key/renew?api-key=${key}`]) {
      const renewed = await call(km, path, { token: tokens['bob'] });
      expect(renewed).toMatchObject({
        status: 403,
        body: { statusCode: 403, code: 'KEY_REVOKED_BY_ADMIN', correlation_id: expect.any(String) },
      });
      expect(renewed.body.message).toContain('revoked by an administrator');
    }
    expect((await call(km, '/auth/check_key', { apiKey: key })).body).toMatchObject({ code: 'KEY_REVOKED' });

    const listed = (await call(km, '/auth/api_key/list', { token: tokens['bob'] })).body as Array<{ id: string }>;
    expect(listed.find((entry) => entry.id === id)).toMatchObject({ is_active: false, revoked_by: 'admin' });
    const audit = await mongo.db().collection('api_key_audit').find({ key_id: id }).toArray();
    expect(audit.map((record) => [record['action'], record['revoked_by']])).toEqual(
      expect.arrayContaining([
        ['created', null],
        ['revoked', 'admin'],
      ]),
    );
    expect(audit.some((record) => record['action'] === 'renewed')).toBe(false);
  });

  it('should make final an owner’s revocation that an administrator confirms', async () => {
    const { key, id } = await createKey('bob');
    expect((await call(km, `/auth/api_key/revoke?id=${id}`, { token: tokens['bob'] })).status).toBe(200);
    const confirmed = await call(km, `/auth/admin/api_key/revoke?id=${id}&reason=abused`, { token: tokens['rsadmin'] });
    expect(confirmed).toMatchObject({ status: 200, body: { is_active: false, message: 'API key revoked' } });

    expect((await call(km, `/auth/api_key/renew?id=${id}`, { token: tokens['bob'] })).body).toMatchObject({
      code: 'KEY_REVOKED_BY_ADMIN',
    });
    expect((await call(km, '/auth/check_key', { apiKey: key })).status).toBe(403);
    const audit = await mongo.db().collection('api_key_audit').find({ key_id: id, action: 'revoked' }).toArray();
    expect(audit.map((record) => record['revoked_by']).sort()).toEqual(['admin', 'owner']);
  });

  it('should keep an owner’s own revocation renewable, recording who revoked', async () => {
    const { key, id } = await createKey('alice');
    expect((await call(km, `/auth/api_key/revoke?api-key=${key}`, { token: tokens['alice'] })).status).toBe(200);
    const stored = await mongo
      .db()
      .collection('api_keys')
      .findOne({ _id: id as never });
    expect(stored).toMatchObject({ is_active: false, revoked_by: 'owner' });

    const renewed = await call(km, `/auth/api_key/renew?id=${id}`, { token: tokens['alice'] });
    expect(renewed).toMatchObject({ status: 200, body: { reactivated: true, is_active: true } });
    expect((await call(km, '/auth/check_key', { apiKey: key })).status).toBe(200);
    const listed = (await call(km, '/auth/api_key/list', { token: tokens['alice'] })).body as Array<{ id: string }>;
    expect(listed.find((entry) => entry.id === id)).toMatchObject({ is_active: true, revoked_by: null });
  });
});

describe('HTTP hardening', () => {
  let km: RunningKeyManager;

  beforeAll(async () => {
    km = await startKeyManager({ MONGO_URL: stackEndpoints.mongoUrl(uniqueDatabaseName('rskeysheaders')) });
  });

  afterAll(async () => {
    await km?.close();
  });

  it('should never let a cache keep a new key value', async () => {
    const created = await call(km, `/auth/api_key/new?name=headers-${Date.now()}`, { token: tokens['alice'] });
    expect(created.status).toBe(200);
    expect(created.headers.get('cache-control')).toBe('no-store');
  });

  it('should send security headers, with a Swagger UI CSP that lets the Keycloak login through', async () => {
    const keycloak = new URL(km.config.KEYCLOAK_PUBLIC_URL ?? km.config.KEYCLOAK_URL).origin;
    const docs = await call(km, '/docs');
    expect(docs.status).toBe(200);
    const csp = docs.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(new RegExp(`connect-src [^;]*${keycloak.replace(/[.:/]/g, '\\$&')}`));
    expect(csp).toContain("frame-ancestors 'self'");
    for (const path of ['/docs', '/auth/api_key/list', '/health'])
      expect(Object.fromEntries((await call(km, path)).headers)).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'referrer-policy': 'strict-origin-when-cross-origin',
      });
    const redirect = await call(km, '/docs/oauth2-redirect.html');
    expect(redirect.status).toBe(200);
    expect(redirect.headers.get('cross-origin-opener-policy')).toBeNull();
  });

  it('should keep the portal’s own stricter policy', async () => {
    const portal = await call(km, '/');
    expect(portal.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(portal.headers.get('cache-control')).toBe('no-store');
    expect(portal.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('key policy limits', () => {
  const database = uniqueDatabaseName('rskeyspolicy');
  let km: RunningKeyManager;
  let mongo: MongoClient;

  beforeAll(async () => {
    km = await startKeyManager({
      MONGO_URL: stackEndpoints.mongoUrl(database),
      API_KEY_MAX_LIFETIME_DAYS: '30',
      API_KEY_ALLOW_NEVER_EXPIRES: 'false',
      API_KEY_MAX_ACTIVE_PER_USER: String(MAX_ACTIVE_KEYS),
    });
    mongo = await MongoClient.connect(stackEndpoints.mongoUrl(database));
  });

  afterAll(async () => {
    await km?.close();
    await mongo?.close();
    await dropDatabases(database);
  });

  const inDays = (days: number) => new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString();

  it('should create a key with an expiration date within the maximum life, and refuse one beyond it', async () => {
    const expiration = inDays(20);
    const created = await call(km, `/auth/api_key/new?name=dated&expiration-date=${expiration}`, {
      token: tokens['bob'],
    });
    expect(created.status).toBe(200);
    const check = await call(km, '/auth/check_key', { apiKey: created.body as string });
    expect(check.body.expiration_date).toBe(expiration);

    const tooLong = await call(km, `/auth/api_key/new?name=too-long&expiration-date=${inDays(31)}`, {
      token: tokens['bob'],
    });
    expect(tooLong).toMatchObject({ status: 400, body: { code: 'INVALID_PARAMETER', parameter: 'expiration-date' } });
    expect(tooLong.body.message).toContain('within 30 days');
    await call(km, `/auth/api_key/revoke?id=${check.body.key_id}`, { token: tokens['bob'] });
  });

  it('should refuse never_expires when the configuration forbids it, storing nothing', async () => {
    const before = await mongo.db().collection('api_keys').countDocuments();
    const refused = await call(km, '/auth/api_key/new?name=forever&never_expires=true', { token: tokens['bob'] });
    expect(refused).toMatchObject({ status: 400, body: { code: 'INVALID_PARAMETER', parameter: 'never_expires' } });
    expect(await mongo.db().collection('api_keys').countDocuments()).toBe(before);
  });

  it('should cap a user’s active keys with a 409, for creations and reactivations alike', async () => {
    const ids: string[] = [];
    for (let index = 0; index < MAX_ACTIVE_KEYS; index++) {
      const created = await call(km, `/auth/api_key/new?name=cap-${index}`, { token: tokens['alice'] });
      expect(created.status).toBe(200);
      ids.push((await call(km, '/auth/check_key', { apiKey: created.body as string })).body.key_id as string);
    }
    const refused = await call(km, '/auth/api_key/new?name=one-too-many', { token: tokens['alice'] });
    expect(refused).toMatchObject({ status: 409, body: { statusCode: 409, code: 'KEY_LIMIT_REACHED' } });
    expect(refused.body.message).toContain(String(MAX_ACTIVE_KEYS));
    expect(await mongo.db().collection('api_keys').countDocuments({ name: 'one-too-many' })).toBe(0);
    // Another user's keys do not count.
    expect((await call(km, '/auth/api_key/new?name=bob-free', { token: tokens['bob'] })).status).toBe(200);

    expect((await call(km, `/auth/api_key/revoke?id=${ids[0]}`, { token: tokens['alice'] })).status).toBe(200);
    expect((await call(km, '/auth/api_key/new?name=replacement', { token: tokens['alice'] })).status).toBe(200);
    const reactivation = await call(km, `/auth/api_key/renew?id=${ids[0]}`, { token: tokens['alice'] });
    expect(reactivation).toMatchObject({ status: 409, body: { code: 'KEY_LIMIT_REACHED' } });
    // Renewing a key that already counts is always allowed.
    expect((await call(km, `/auth/api_key/renew?id=${ids[1]}`, { token: tokens['alice'] })).status).toBe(200);
  });

  it('should refuse concurrent creations beyond the cap, keeping none of the refused keys', async () => {
    const answers = await Promise.all(
      Array.from({ length: MAX_ACTIVE_KEYS + 2 }, (_, index) =>
        call(km, `/auth/api_key/new?name=burst-${index}`, { token: tokens['rsadmin'] }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(MAX_ACTIVE_KEYS);
    expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
    const stored = await mongo
      .db()
      .collection('api_keys')
      .countDocuments({ name: /^burst-/ });
    expect(stored).toBe(statuses.filter((status) => status === 200).length);
  });
});
