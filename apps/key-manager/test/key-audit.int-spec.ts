// A key's audit trail over HTTP, against the real Keycloak, Kafka and Mongo-wire DB: the owner reads their key's
// history, another user gets 404 as for any foreign key, and an administrator reads any key's on the admin route.
import { userToken } from '@rs/testing';
import { randomUUID } from 'node:crypto';
import { keyManagerSuite } from './key-manager-suite.harness';

const suite = keyManagerSuite('rskeysaudit', '10.31');
let alice: string;
let bob: string;
let admin: string;
let keyId: string;
const { call } = suite;

beforeAll(async () => {
  await suite.start();
  [alice, bob, admin] = await Promise.all([userToken('alice'), userToken('bob'), userToken('rsadmin')]);
  const created = await call(`/auth/api_key/new?name=audit-${randomUUID().slice(0, 8)}`, { token: alice });
  expect(created.status).toBe(200);
  const check = await call('/auth/check_key', { apiKey: created.body as string });
  keyId = check.body.key_id;
  expect((await call(`/auth/api_key/rotate?id=${keyId}&grace_period_hours=0`, { token: alice })).status).toBe(200);
  expect((await call(`/auth/api_key/revoke?id=${keyId}`, { token: alice })).status).toBe(200);
  expect((await call(`/auth/api_key/renew?id=${keyId}`, { token: alice })).status).toBe(200);
  const revoked = await call(`/auth/admin/api_key/revoke?id=${keyId}&reason=leaked%20in%20a%20notebook`, {
    token: admin,
  });
  expect(revoked.status).toBe(200);
});

afterAll(() => suite.stop());

describe('GET /auth/api_key/audit', () => {
  it("should give the owner their key's actions newest first, the administrator's revocation with its reason", async () => {
    const trail = await call(`/auth/api_key/audit?id=${keyId}`, { token: alice });
    expect(trail.status).toBe(200);
    expect(trail.body).toMatchObject({ key_id: keyId, user_login: 'alice' });
    expect(trail.body.records.map((record: { action: string }) => record.action)).toEqual([
      'revoked',
      'renewed',
      'revoked',
      'rotated',
      'created',
    ]);
    const [adminRevocation, , ownRevocation] = trail.body.records;
    expect(adminRevocation).toMatchObject({ reason: 'leaked in a notebook', revoked_by: 'admin' });
    expect(adminRevocation.actor).not.toBe(trail.body.user_id);
    expect(ownRevocation).toMatchObject({ actor: trail.body.user_id, revoked_by: 'owner' });
    const times = trail.body.records.map((record: { time: string }) => Date.parse(record.time));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('should answer 404 to another user, even an administrator, as for any key that is not theirs', async () => {
    for (const token of [bob, admin]) {
      const trail = await call(`/auth/api_key/audit?id=${keyId}`, { token });
      expect(trail.status).toBe(404);
      expect(trail.body.code).toBe('KEY_NOT_FOUND');
    }
  });

  it('should answer 401 without a Keycloak token', async () => {
    expect((await call(`/auth/api_key/audit?id=${keyId}`)).status).toBe(401);
  });
});

describe('GET /auth/admin/api_key/audit', () => {
  it("should give an administrator any key's trail", async () => {
    const trail = await call(`/auth/admin/api_key/audit?id=${keyId}`, { token: admin });
    expect(trail.status).toBe(200);
    expect(trail.body).toMatchObject({ key_id: keyId, user_login: 'alice' });
    expect(trail.body.records).toHaveLength(5);
  });

  it('should answer 403 to a user without rs_apikey_admin, the owner included', async () => {
    expect((await call(`/auth/admin/api_key/audit?id=${keyId}`, { token: alice })).status).toBe(403);
  });

  it('should answer 404 for a key that does not exist', async () => {
    const trail = await call(`/auth/admin/api_key/audit?id=${randomUUID()}`, { token: admin });
    expect(trail.status).toBe(404);
  });
});
