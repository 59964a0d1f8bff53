import { KEY_LIFECYCLE_TOPIC, type KeyLifecycleEventV1 } from '@rs/event-contracts';
import { generateApiKey } from '@rs/key-domain';
import { eventually, recordTopic, setUserEnabled, type TopicRecorder, userToken } from '@rs/testing';
import { MongoClient } from 'mongodb';
import type { RunningKeyManager } from './key-manager.harness';
import { keyManagerSuite } from './key-manager-suite.harness';

const suite = keyManagerSuite('rskeysit', '10.1');
let km: RunningKeyManager;
let mongo: MongoClient;
let lifecycle: TopicRecorder<KeyLifecycleEventV1>;
const tokens: Record<string, string> = {};
const { call } = suite;

async function createKey(user: string, query = ''): Promise<string> {
  const response = await call(`/auth/api_key/new?name=it-${Date.now()}${query}`, { token: tokens[user] });
  expect(response.status).toBe(200);
  expect(typeof response.body).toBe('string');
  return response.body as string;
}

beforeAll(async () => {
  lifecycle = await recordTopic<KeyLifecycleEventV1>(KEY_LIFECYCLE_TOPIC);
  km = await suite.start({
    CHECK_FAILURE_LIMIT: '5',
    CHECK_FAILURE_WINDOW_SECONDS: '30',
    // Every check consults Keycloak, so a user disabled there loses access on the next check.
    KEYCLOAK_SYNC_INTERVAL_SECONDS: '0',
  });
  mongo = await MongoClient.connect(suite.mongoUrl);
  for (const user of ['alice', 'bob', 'carol', 'rsadmin']) tokens[user] = await userToken(user);
});

afterAll(async () => {
  await setUserEnabled('carol', true).catch(() => undefined);
  await suite.stop(mongo);
  await lifecycle?.stop();
});

describe('authentication of key management', () => {
  it('should show the caller their Keycloak identity, roles and attributes', async () => {
    const response = await call('/auth/me', { token: tokens['alice'] });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ user_login: 'alice', attributes: { organization: 'ESA' } });
    expect(response.body.roles).toContain('rs_cadip_ins_read');
    expect(response.body.user_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('should refuse requests without a token, with a forged token, and with an API key instead of a token', async () => {
    expect((await call('/auth/api_key/list')).status).toBe(401);
    const [header, payload] = tokens['alice'].split('.');
    expect((await call('/auth/api_key/list', { token: `${header}.${payload}.${'A'.repeat(342)}` })).status).toBe(401);
    const key = await createKey('alice');
    const withKey = await call('/auth/api_key/new?name=minted-by-key', { apiKey: key });
    expect(withKey.status).toBe(401);
    const withKeyAsBearer = await call('/auth/api_key/list', { token: key });
    expect(withKeyAsBearer.status).toBe(401);
  });
});

describe('the key lifecycle', () => {
  it('should create a key that checks out with the RS-Server fields, stored as a hash only', async () => {
    const key = await createKey('alice', `&config=${encodeURIComponent('{"project":"s1","organization":"mine"}')}`);
    expect(key).toMatch(/^rsk_[0-9A-Za-z]{38}$/);
    const check = await call('/auth/check_key', { apiKey: key });
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({
      user_login: 'alice',
      config: { project: 's1', organization: 'ESA', max_requests_per_day: '10000' },
    });
    expect(check.body.iam_roles).toContain('rs_cadip_ins_read');
    expect(Object.keys(check.body)).toEqual(expect.arrayContaining(['user_id', 'user_login', 'iam_roles', 'config']));

    const everything = JSON.stringify(
      await Promise.all(
        ['api_keys', 'api_key_audit', 'event_outbox'].map((name) => mongo.db().collection(name).find().toArray()),
      ),
    );
    expect(everything).not.toContain(key);
    expect(everything).not.toContain(key.slice(4, 36));
    expect(JSON.stringify(lifecycle.messages)).not.toContain(key.slice(4, 36));
  });

  it('should accept the key from the header, the api-key query parameter and a /k/<key>/ path prefix', async () => {
    const key = await createKey('alice');
    expect((await call(`/auth/check_key?api-key=${key}`)).status).toBe(200);
    expect((await call(`/k/${key}/auth/check_key`)).status).toBe(200);
    expect((await call('/auth/check_key')).body).toMatchObject({ code: 'KEY_MISSING' });
  });

  it('should list the caller’s keys with every documented field and never a value', async () => {
    const key = await createKey('alice', '&never_expires=true&allowed_referers=portal.example.com');
    const list = await call('/auth/api_key/list', { token: tokens['alice'] });
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(key);
    const entry = list.body.find((item: { hint: string }) => item.hint === `rsk_${key.slice(4, 8)}…${key.slice(-4)}`);
    expect(entry).toMatchObject({
      user_login: 'alice',
      user_active: true,
      is_active: true,
      never_expire: true,
      expiration_date: null,
      total_queries: 0,
      allowed_referers: ['portal.example.com'],
    });
    for (const field of ['id', 'name', 'creation_date', 'latest_query_date', 'latest_sync_date', 'iam_roles', 'config'])
      expect(entry).toHaveProperty(field);
  });

  it('should revoke, publish the event at once, refuse the key, then renew and reactivate it', async () => {
    const key = await createKey('alice');
    const keyId = (await call('/auth/check_key', { apiKey: key })).body.key_id as string;

    const revoked = await call(`/auth/api_key/revoke?api-key=${key}`, { token: tokens['alice'] });
    expect(revoked).toMatchObject({ status: 200, body: { id: keyId, is_active: false, message: 'API key revoked' } });
    const event = await eventually(() => {
      const found = lifecycle.messages.find(
        (message) => message.value.key_id === keyId && message.value.action === 'revoked',
      );
      if (!found) throw new Error('no revoked event yet');
      return found;
    }, 5000);
    expect(event.key).toBe(keyId);
    expect(event.value).toMatchObject({
      type: 'key.lifecycle',
      version: 1,
      user_id: expect.any(String),
      actor: expect.any(String),
    });
    expect((await call('/auth/check_key', { apiKey: key })).body).toMatchObject({ code: 'KEY_REVOKED' });

    const renewed = await call(`/auth/api_key/renew?id=${keyId}`, { token: tokens['alice'] });
    expect(renewed.body).toMatchObject({
      reactivated: true,
      is_active: true,
      message: 'API key renewed and reactivated',
    });
    expect((await call('/auth/check_key', { apiKey: key })).status).toBe(200);
    const audit = await mongo.db().collection('api_key_audit').find({ key_id: keyId }).toArray();
    expect(audit.map((record) => record['action']).sort()).toEqual(['created', 'renewed', 'revoked']);
  });

  it('should refuse an expired key', async () => {
    const key = await createKey('alice');
    const keyId = (await call('/auth/check_key', { apiKey: key })).body.key_id as string;
    await mongo
      .db()
      .collection('api_keys')
      .updateOne({ _id: keyId as never }, { $set: { expiration_date: new Date(Date.now() - 1000) } });
    expect((await call('/auth/check_key', { apiKey: key })).body).toMatchObject({
      code: 'KEY_EXPIRED',
      statusCode: 403,
    });
  });

  it('should enforce allowed_referers', async () => {
    const key = await createKey('alice', '&allowed_referers=portal.example.com&allowed_referers=*.esa.int');
    expect(
      (await call('/auth/check_key', { apiKey: key, headers: { referer: 'https://portal.example.com/map' } })).status,
    ).toBe(200);
    expect((await call('/auth/check_key', { apiKey: key, headers: { origin: 'https://data.esa.int' } })).status).toBe(
      200,
    );
    const refused = await call('/auth/check_key', { apiKey: key, headers: { referer: 'https://evil.example.org/' } });
    expect(refused).toMatchObject({ status: 403, body: { code: 'KEY_REFERER_NOT_ALLOWED' } });
  });
});

describe('owner isolation and administration', () => {
  it('should answer 404 when a user touches another user’s key, by value or by id', async () => {
    const key = await createKey('alice');
    const keyId = (await call('/auth/check_key', { apiKey: key })).body.key_id as string;
    expect((await call(`/auth/api_key/revoke?id=${keyId}`, { token: tokens['bob'] })).body).toMatchObject({
      statusCode: 404,
      code: 'KEY_NOT_FOUND',
    });
    expect((await call(`/auth/api_key/renew?api-key=${key}`, { token: tokens['bob'] })).status).toBe(404);
    const bobList = await call('/auth/api_key/list', { token: tokens['bob'] });
    expect(bobList.body.map((item: { id: string }) => item.id)).not.toContain(keyId);
    expect((await call('/auth/check_key', { apiKey: key })).status).toBe(200);
  });

  it('should let rs_apikey_admin list and revoke anyone’s keys, and refuse others naming the role', async () => {
    const key = await createKey('bob');
    const keyId = (await call('/auth/check_key', { apiKey: key })).body.key_id as string;
    const refused = await call('/auth/admin/api_keys?user_login=bob', { token: tokens['alice'] });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('rs_apikey_admin');

    const list = await call('/auth/admin/api_keys?user_login=bob', { token: tokens['rsadmin'] });
    expect(list.body.map((item: { id: string }) => item.id)).toContain(keyId);
    const revoked = await call(`/auth/admin/api_key/revoke?id=${keyId}&reason=leaked`, { token: tokens['rsadmin'] });
    expect(revoked.body).toMatchObject({ is_active: false });
    const audit = await mongo.db().collection('api_key_audit').findOne({ key_id: keyId, action: 'revoked' });
    expect(audit).toMatchObject({ reason: 'leaked' });
    expect(audit?.['actor']).not.toBe(audit?.['user_id']);
  });
});

describe('Keycloak sync', () => {
  it('should stop a disabled user’s keys and bring them back when the user is enabled again', async () => {
    const key = await createKey('carol');
    const keyId = (await call('/auth/check_key', { apiKey: key })).body.key_id as string;
    await setUserEnabled('carol', false);
    try {
      expect((await call('/auth/check_key', { apiKey: key })).body).toMatchObject({ code: 'KEY_USER_DISABLED' });
      await eventually(() => {
        if (
          !lifecycle.messages.some(
            (message) => message.value.key_id === keyId && message.value.action === 'user_disabled',
          )
        )
          throw new Error('no event');
      }, 5000);
      const stored = await mongo
        .db()
        .collection('api_keys')
        .findOne({ _id: keyId as never });
      expect(stored).toMatchObject({ user_active: false, revoked_by: 'user_disabled' });
      const audit = await mongo.db().collection('api_key_audit').findOne({ key_id: keyId, action: 'user_disabled' });
      expect(audit).toMatchObject({ revoked_by: 'user_disabled' });
    } finally {
      await setUserEnabled('carol', true);
    }
    expect((await call('/auth/check_key', { apiKey: key })).status).toBe(200);
    const restored = await mongo
      .db()
      .collection('api_keys')
      .findOne({ _id: keyId as never });
    expect(restored).toMatchObject({ user_active: true, revoked_by: null });
  });
});

describe('bad input', () => {
  it.each([
    ['/auth/api_key/new', 'name'],
    ['/auth/api_key/new?name=', 'name'],
    [`/auth/api_key/new?name=${'x'.repeat(200)}`, 'name'],
    ['/auth/api_key/new?name=a&never_expires=maybe', 'never_expires'],
    [`/auth/api_key/new?name=a&config=${encodeURIComponent('[1,2]')}`, 'config'],
    [`/auth/api_key/new?name=a&config=${encodeURIComponent('{oops')}`, 'config'],
    ['/auth/api_key/new?name=a&allowed_referers=not%20a%20host!', 'allowed_referers'],
    ['/auth/api_key/new?name=a&colour=blue', 'colour'],
    ['/auth/api_key/revoke', 'api-key'],
    ['/auth/api_key/revoke?api-key=rsk_wrong', 'api-key'],
    ['/auth/api_key/revoke?id=not-a-uuid', 'id'],
    ['/auth/api_key/renew?id=6f1c1c4e-9a59-4d0b-9e37-1d8f6b1b2c3d&expiration-date=tomorrow', 'expiration-date'],
    ['/auth/api_key/renew?id=6f1c1c4e-9a59-4d0b-9e37-1d8f6b1b2c3d&expiration-date=2001-01-01', 'expiration-date'],
  ])('should answer 400 naming the parameter for %s', async (path, parameter) => {
    const response = await call(path, { token: tokens['alice'] });
    expect(response).toMatchObject({ status: 400, body: { code: 'INVALID_PARAMETER', parameter } });
  });

  it('should answer 404 for a well-formed id that is nobody’s', async () => {
    expect(
      (await call('/auth/api_key/revoke?id=6f1c1c4e-9a59-4d0b-9e37-1d8f6b1b2c3d', { token: tokens['alice'] })).status,
    ).toBe(404);
  });
});

describe('brute-force protection', () => {
  it('should throttle an address after repeated failures, with Retry-After, yet serve a valid key', async () => {
    const ip = '10.200.0.1';
    const valid = await createKey('alice');
    expect((await call('/auth/check_key', { apiKey: valid, ip })).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      const attempt = await call('/auth/check_key', { apiKey: generateApiKey(), ip });
      expect(attempt.body.code).toBe('KEY_INVALID');
    }
    const throttled = await call('/auth/check_key', { apiKey: generateApiKey(), ip });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call('/auth/check_key', { apiKey: 'rsk_malformed', ip })).status).toBe(429);
    expect((await call('/auth/check_key', { apiKey: valid, ip })).status).toBe(200);
    expect((await call('/auth/check_key', { apiKey: generateApiKey(), ip: '10.200.0.2' })).status).toBe(403);
  });
});

describe('operations', () => {
  it('should say only ready on the public port, and report each dependency on the management port', async () => {
    expect(await call('/health/ready')).toEqual(expect.objectContaining({ status: 200, body: { status: 'ok' } }));
    const report = await fetch(`${km.managementUrl}/health/ready`);
    expect(report.status).toBe(200);
    expect(await report.json()).toEqual({
      status: 'ok',
      checks: { mongodb: 'up', kafka: 'up', keycloak: 'up', redis: 'up' },
    });
  });

  it('should expose check metrics on the management port only', async () => {
    expect((await call('/metrics')).status).toBe(404);
    const metrics = await (await fetch(`${km.managementUrl}/metrics`)).text();
    expect(metrics).toContain('key_checks_total{outcome="valid"}');
    expect(metrics).toContain('key_check_duration_seconds_bucket');
  });

  it('should document the RS-Server operations for Keycloak login only', async () => {
    const spec = (await call('/docs-json')).body;
    const summaries = Object.values(spec.paths as Record<string, Record<string, { summary: string }>>).flatMap((path) =>
      Object.values(path).map((op) => op.summary),
    );
    expect(summaries).toEqual(
      expect.arrayContaining([
        'Show My Information',
        'Create Api Key',
        'List My Api Keys',
        'Revoke Api Key',
        'Renew Api Key',
        'Check Api Key',
      ]),
    );
    expect(Object.keys(spec.components.securitySchemes)).toEqual(['keycloak']);
    expect(spec.paths['/auth/api_key/new'].get.security).toEqual([{ keycloak: ['openid'] }]);
  });
});
