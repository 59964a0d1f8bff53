// On the real stack: the Keycloak attributes that win over a key's config (API_KEY_CONFIG_ATTRIBUTES) cannot be
// forged by their user, neither in Keycloak's account API nor through `config=` at creation, and an attribute an
// administrator removes leaves the key's config at the next sync.
import { createUser, deleteUser, stackEndpoints, userId, userToken } from '@rs/testing';
import { randomBytes } from 'node:crypto';
import { keyManagerSuite } from './key-manager-suite.harness';

const realmUrl = `${stackEndpoints.keycloakUrl}/realms/${stackEndpoints.realm}`;
const adminUrl = `${stackEndpoints.keycloakUrl}/admin/realms/${stackEndpoints.realm}`;

async function adminHeaders(): Promise<Record<string, string>> {
  const response = await fetch(`${stackEndpoints.keycloakUrl}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'admin-cli',
      username: process.env['KEYCLOAK_ADMIN_USER'] ?? 'admin',
      password: process.env['KEYCLOAK_ADMIN_PASSWORD'] ?? 'admin',
    }),
  });
  const body = (await response.json()) as { access_token: string };
  return { authorization: `Bearer ${body.access_token}`, 'content-type': 'application/json' };
}

/** The user's attributes as Keycloak stores them, read through the admin API. */
async function storedAttributes(username: string): Promise<Record<string, string[]>> {
  const response = await fetch(`${adminUrl}/users/${await userId(username)}`, { headers: await adminHeaders() });
  expect(response.status).toBe(200);
  return ((await response.json()) as { attributes?: Record<string, string[]> }).attributes ?? {};
}

/** What an administrator does in the admin console: replaces the user's attributes. */
async function setAttributesAsAdmin(username: string, attributes: Record<string, string[]>): Promise<void> {
  const headers = await adminHeaders();
  const url = `${adminUrl}/users/${await userId(username)}`;
  const user = (await (await fetch(url, { headers })).json()) as Record<string, unknown>;
  const response = await fetch(url, { method: 'PUT', headers, body: JSON.stringify({ ...user, attributes }) });
  expect(response.status).toBe(204);
}

/** What the Keycloak Account console does: the user posts their own profile with changed attributes. */
async function updateOwnAttributes(username: string, password: string, attributes: Record<string, string[]>) {
  const headers = {
    authorization: `Bearer ${await userToken(username, password)}`,
    'content-type': 'application/json',
    accept: 'application/json',
  };
  const current = (await (await fetch(`${realmUrl}/account/`, { headers })).json()) as {
    attributes?: Record<string, string[]>;
  };
  const { userProfileMetadata: _metadata, ...profile } = current as Record<string, unknown>;
  const response = await fetch(`${realmUrl}/account/`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ ...profile, attributes: { ...current.attributes, ...attributes } }),
  });
  return { status: response.status, body: await response.text() };
}

describe('Keycloak attributes that services trust', () => {
  const username = `attr-${randomBytes(4).toString('hex')}`;
  const password = `attr-${randomBytes(12).toString('hex')}`;
  const suite = keyManagerSuite('rskeysattributes', '10.22');
  const call = suite.call;

  beforeAll(async () => {
    await createUser(username, password, []);
    await suite.start();
  });

  afterAll(async () => {
    await suite.stop();
    await deleteUser(username).catch(() => undefined);
  });

  it('should refuse a user’s change of their organization in the account API, keeping the stored value', async () => {
    const before = await storedAttributes('alice');
    expect(before['organization']).toEqual(['ESA']);

    const forged = await updateOwnAttributes('alice', 'alice-password', { organization: ['FORGED'] });

    expect(forged.status).toBe(400);
    expect(forged.body).toContain('error-user-attribute-read-only');
    expect(await storedAttributes('alice')).toEqual(before);
  });

  it('should not let a user set max_requests_per_day, nor add an attribute the realm does not declare', async () => {
    await setAttributesAsAdmin(username, { organization: ['Test'] });

    const quota = await updateOwnAttributes(username, password, { max_requests_per_day: ['999999'] });
    expect(quota.status).toBe(400);
    // Unmanaged attributes are the administrators' (ADMIN_EDIT): a user's attempt is dropped, not stored.
    await updateOwnAttributes(username, password, { quota: ['unlimited'] });

    expect(await storedAttributes(username)).toEqual({ organization: ['Test'] });
  });

  it('should strip config={"organization":"FORGED"} at creation when Keycloak has no organization', async () => {
    await setAttributesAsAdmin(username, {});
    const token = await userToken(username, password);
    const config = encodeURIComponent(JSON.stringify({ organization: 'FORGED', max_requests_per_day: 1e9, p: 's1' }));

    const created = await call(`/auth/api_key/new?name=forged&config=${config}`, { token });
    expect(created.status).toBe(200);

    const check = await call('/auth/check_key', { apiKey: created.body as string });
    expect(check.status).toBe(200);
    expect(check.body.config).toEqual({ p: 's1' });
  });

  it('should drop from the key an attribute an administrator removed in Keycloak, at the next sync', async () => {
    await setAttributesAsAdmin(username, { organization: ['Before'] });
    const token = await userToken(username, password);
    const created = await call('/auth/api_key/new?name=synced', { token });
    const key = created.body as string;
    expect((await call('/auth/check_key', { apiKey: key })).body.config).toEqual({ organization: 'Before' });

    await setAttributesAsAdmin(username, {});
    // Renewal syncs the owner with Keycloak, as the worker's sync does.
    expect((await call(`/auth/api_key/renew?api-key=${key}`, { token })).status).toBe(200);

    expect((await call('/auth/check_key', { apiKey: key })).body.config).toEqual({});
  });
});
