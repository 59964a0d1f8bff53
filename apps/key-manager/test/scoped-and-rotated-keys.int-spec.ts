// Scoped keys and rotation with a grace period, against the real Keycloak, Kafka, Mongo-wire DB and Redis: a scoped
// key's check carries only its scopes (and loses one its owner loses), a foreign scope is a 400, new scopes of an
// existing key reach its check at once, and a rotated key's old value works for its grace period, then is refused,
// with the changes audited and announced on Kafka.
import { KEY_LIFECYCLE_TOPIC, type KeyLifecycleEventV1 } from '@rs/event-contracts';
import {
  createUser,
  deleteUser,
  eventually,
  recordTopic,
  removeRealmRoles,
  type TopicRecorder,
  userToken,
} from '@rs/testing';
import { MongoClient } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { keyManagerSuite } from './key-manager-suite.harness';

const suite = keyManagerSuite('rskeysrot', '10.7');
let mongo: MongoClient;
let lifecycle: TopicRecorder<KeyLifecycleEventV1>;
let alice: string;
const { call } = suite;

async function createKey(token: string, query = ''): Promise<string> {
  const response = await call(`/auth/api_key/new?name=rot-${randomUUID().slice(0, 8)}${query}`, { token });
  expect(response.status).toBe(200);
  return response.body as string;
}

async function listEntry(token: string, keyId: string) {
  const list = await call('/auth/api_key/list', { token });
  expect(list.status).toBe(200);
  return list.body.find((entry: { id: string }) => entry.id === keyId);
}

beforeAll(async () => {
  lifecycle = await recordTopic<KeyLifecycleEventV1>(KEY_LIFECYCLE_TOPIC);
  await suite.start({
    // Every check consults Keycloak, so a role removed there leaves a scoped key on the next check.
    KEYCLOAK_SYNC_INTERVAL_SECONDS: '0',
  });
  mongo = await MongoClient.connect(suite.mongoUrl);
  alice = await userToken('alice');
});

afterAll(async () => {
  await suite.stop(mongo);
  await lifecycle?.stop();
});

describe('scoped keys', () => {
  it('should check a scoped key with its scopes only, and list them', async () => {
    const key = await createKey(alice, '&scopes=rs_cadip_ins_read&scopes=rs_auxip_adgs_read');
    const check = await call('/auth/check_key', { apiKey: key });
    expect(check.status).toBe(200);
    expect(check.body.iam_roles).toEqual(['rs_auxip_adgs_read', 'rs_cadip_ins_read']);
    const entry = await listEntry(alice, check.body.key_id);
    expect(entry).toMatchObject({
      scopes: ['rs_auxip_adgs_read', 'rs_cadip_ins_read'],
      iam_roles: ['rs_auxip_adgs_read', 'rs_cadip_ins_read'],
    });
  });

  it('should give a key without scopes every role of its owner, as before', async () => {
    const key = await createKey(alice);
    const check = await call('/auth/check_key', { apiKey: key });
    expect(check.body.iam_roles).toEqual(expect.arrayContaining(['rs_cadip_ins_read', 'rs_catalog_alice:s1-l1_write']));
    expect((await listEntry(alice, check.body.key_id)).scopes).toBeNull();
  });

  it('should refuse a scope the owner does not hold with a 400 naming it, creating nothing', async () => {
    const before = await call('/auth/api_key/list', { token: alice });
    const response = await call('/auth/api_key/new?name=foreign&scopes=rs_cadip_ins_read&scopes=rs_apikey_admin', {
      token: alice,
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'INVALID_PARAMETER', parameter: 'scopes' });
    expect(response.body.detail).toContain('rs_apikey_admin');
    expect((await call('/auth/api_key/list', { token: alice })).body).toHaveLength(before.body.length);
  });

  it('should drop from a scoped key a role its owner loses in Keycloak, and never add one', async () => {
    const username = `scoped-${randomUUID().slice(0, 8)}`;
    await createUser(username, 'scoped-password', ['rs_cadip_ins_read', 'rs_cadip_mti_read', 'rs_auxip_adgs_read']);
    try {
      const token = await userToken(username, 'scoped-password');
      const key = await createKey(token, '&scopes=rs_cadip_ins_read&scopes=rs_cadip_mti_read');
      expect((await call('/auth/check_key', { apiKey: key })).body.iam_roles).toEqual([
        'rs_cadip_ins_read',
        'rs_cadip_mti_read',
      ]);
      await removeRealmRoles(username, ['rs_cadip_mti_read']);
      await eventually(async () => {
        expect((await call('/auth/check_key', { apiKey: key })).body.iam_roles).toEqual(['rs_cadip_ins_read']);
      });
    } finally {
      await deleteUser(username).catch(() => undefined);
    }
  });
});

describe('setting the scopes of an existing key', () => {
  it('should narrow the roles the check answers at once, list them, audit and announce the change', async () => {
    const key = await createKey(alice);
    const before = await call('/auth/check_key', { apiKey: key });
    expect(before.body.iam_roles).toEqual(expect.arrayContaining(['rs_cadip_ins_read', 'rs_auxip_adgs_read']));
    const keyId = before.body.key_id as string;
    // Checked twice: the second answer comes from the check cache, which the change must drop.
    expect((await call('/auth/check_key', { apiKey: key })).status).toBe(200);

    const set = await call(`/auth/api_key/scopes?id=${keyId}&scopes=rs_cadip_ins_read`, { token: alice });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ id: keyId, scopes: ['rs_cadip_ins_read'], iam_roles: ['rs_cadip_ins_read'] });
    expect(set.body).toEqual(await listEntry(alice, keyId));
    expect((await call('/auth/check_key', { apiKey: key })).body.iam_roles).toEqual(['rs_cadip_ins_read']);

    await eventually(() => {
      const event = lifecycle.messages.find(
        (message) => message.value.key_id === keyId && message.value.action === 'scopes_changed',
      );
      expect(event?.value).toMatchObject({ actor: before.body.user_id, reason: expect.stringContaining('rs_cadip') });
      expect(event?.value.state_version).toBeGreaterThan(1);
    });
    const audit = await mongo.db().collection('api_key_audit').find({ key_id: keyId }).toArray();
    expect(audit.map((record) => record['action'])).toEqual(['created', 'scopes_changed']);
    const trail = await call(`/auth/api_key/audit?id=${keyId}`, { token: alice });
    expect(trail.body.records[0]).toMatchObject({ action: 'scopes_changed', actor: before.body.user_id });
  });

  it('should give a scoped key every role of its owner again with all_roles=true, by value', async () => {
    const key = await createKey(alice, '&scopes=rs_auxip_adgs_read');
    const set = await call(`/auth/api_key/scopes?api-key=${key}&all_roles=true`, { token: alice });
    expect(set.status).toBe(200);
    expect(set.body.scopes).toBeNull();
    expect((await call('/auth/check_key', { apiKey: key })).body.iam_roles).toEqual(
      expect.arrayContaining(['rs_auxip_adgs_read', 'rs_cadip_ins_read', 'rs_catalog_alice:s1-l1_write']),
    );
  });

  it('should refuse a foreign scope naming it, neither or both forms, another user and a revoked key', async () => {
    const key = await createKey(alice, '&scopes=rs_auxip_adgs_read');
    const keyId = (await call('/auth/check_key', { apiKey: key })).body.key_id as string;
    const foreign = await call(`/auth/api_key/scopes?id=${keyId}&scopes=rs_cadip_ins_read&scopes=rs_apikey_admin`, {
      token: alice,
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body).toMatchObject({ code: 'INVALID_PARAMETER', parameter: 'scopes' });
    expect(foreign.body.detail).toContain('rs_apikey_admin');
    for (const query of ['', '&all_roles=false', '&all_roles=true&scopes=rs_cadip_ins_read']) {
      const response = await call(`/auth/api_key/scopes?id=${keyId}${query}`, { token: alice });
      expect(response.status).toBe(400);
      expect(response.body.parameter).toBe('scopes');
    }
    expect((await listEntry(alice, keyId)).scopes).toEqual(['rs_auxip_adgs_read']);

    const bob = await userToken('bob');
    const notBobs = await call(`/auth/api_key/scopes?id=${keyId}&all_roles=true`, { token: bob });
    expect(notBobs.status).toBe(404);
    expect(notBobs.body.code).toBe('KEY_NOT_FOUND');
    expect((await call(`/auth/api_key/revoke?id=${keyId}`, { token: alice })).status).toBe(200);
    const revoked = await call(`/auth/api_key/scopes?id=${keyId}&all_roles=true`, { token: alice });
    expect(revoked.status).toBe(403);
    expect(revoked.body.code).toBe('KEY_REVOKED');
    expect((await listEntry(alice, keyId)).scopes).toEqual(['rs_auxip_adgs_read']);
  });
});

describe('rotation with a grace period', () => {
  it('should give the key a new value and keep the old one working until its grace period ends', async () => {
    const oldValue = await createKey(alice, '&scopes=rs_cadip_ins_read&config=' + encodeURIComponent('{"p":"s1"}'));
    const keyId = (await call('/auth/check_key', { apiKey: oldValue })).body.key_id as string;
    // 0.0005 hours: 1.8 s.
    const rotated = await call(`/auth/api_key/rotate?api-key=${oldValue}&grace_period_hours=0.0005`, { token: alice });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    const { api_key: newValue, previous_secret_expires_at: graceEnd } = rotated.body;
    expect(rotated.body).toMatchObject({ id: keyId, message: 'API key rotated' });
    expect(newValue).toMatch(/^rsk_[0-9A-Za-z]{38}$/);
    expect(newValue).not.toBe(oldValue);

    const fresh = await call('/auth/check_key', { apiKey: newValue });
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ key_id: keyId, iam_roles: ['rs_cadip_ins_read'], config: { p: 's1' } });
    const old = await call('/auth/check_key', { apiKey: oldValue });
    expect(old.status).toBe(200);
    expect(old.body).toMatchObject({ key_id: keyId, expiration_date: graceEnd, never_expire: false });
    expect(await listEntry(alice, keyId)).toMatchObject({
      hint: rotated.body.hint,
      previous_hint: `rsk_${oldValue.slice(4, 8)}…${oldValue.slice(-4)}`,
      previous_secret_expires_at: graceEnd,
      scopes: ['rs_cadip_ins_read'],
    });

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(graceEnd) - Date.now()) + 50));
    const refused = await call('/auth/check_key', { apiKey: oldValue });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('KEY_EXPIRED');
    expect((await call('/auth/check_key', { apiKey: newValue })).status).toBe(200);
    expect(await listEntry(alice, keyId)).toMatchObject({ previous_hint: null, previous_secret_expires_at: null });

    await eventually(() => {
      const event = lifecycle.messages.find(
        (message) => message.value.key_id === keyId && message.value.action === 'rotated',
      );
      expect(event?.value).toMatchObject({ actor: expect.any(String), previous_secret_expires_at: graceEnd });
      expect(event?.value.state_version).toBeGreaterThan(1);
    });
    const audit = await mongo.db().collection('api_key_audit').find({ key_id: keyId, action: 'rotated' }).toArray();
    expect(audit).toHaveLength(1);
    const stored = JSON.stringify(
      await mongo
        .db()
        .collection('api_keys')
        .findOne({ _id: keyId as never }),
    );
    expect(stored).not.toContain(newValue.slice(4, 36));
    expect(stored).not.toContain(oldValue.slice(4, 36));
    expect(JSON.stringify(lifecycle.messages)).not.toContain(newValue.slice(4, 36));
  });

  it('should end a value replaced by an earlier rotation at once when the key is rotated again', async () => {
    const first = await createKey(alice);
    const keyId = (await call('/auth/check_key', { apiKey: first })).body.key_id as string;
    const second = (await call(`/auth/api_key/rotate?id=${keyId}`, { token: alice })).body.api_key as string;
    expect((await call('/auth/check_key', { apiKey: first })).status).toBe(200);
    const third = (await call(`/auth/api_key/rotate?id=${keyId}&grace_period_hours=1`, { token: alice })).body
      .api_key as string;
    expect((await call('/auth/check_key', { apiKey: first })).status).toBe(403);
    expect((await call('/auth/check_key', { apiKey: second })).status).toBe(200);
    expect((await call('/auth/check_key', { apiKey: third })).status).toBe(200);
  });

  it('should refuse a grace period beyond seven days, a key of someone else and a revoked key', async () => {
    const key = await createKey(alice);
    const tooLong = await call(`/auth/api_key/rotate?api-key=${key}&grace_period_hours=168.5`, { token: alice });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatchObject({ code: 'INVALID_PARAMETER', parameter: 'grace_period_hours' });
    const bob = await userToken('bob');
    expect((await call(`/auth/api_key/rotate?api-key=${key}`, { token: bob })).status).toBe(404);
    expect((await call(`/auth/api_key/revoke?api-key=${key}`, { token: alice })).status).toBe(200);
    const revoked = await call(`/auth/api_key/rotate?api-key=${key}`, { token: alice });
    expect(revoked.status).toBe(403);
    expect(revoked.body.code).toBe('KEY_REVOKED');
  });
});
