// The benchmarks' calls to the stack's Keycloak and Mongo-wire DB (the integration tests have the same in
// libs/testing, in TypeScript).
import { MongoClient } from 'mongodb';

const keycloak = process.env.KEYCLOAK_URL ?? 'http://127.0.0.1:8180';
const realm = process.env.KEYCLOAK_REALM ?? 'rs-server';

export const mongoUrl = (database) => `mongodb://127.0.0.1:${process.env.MONGO_PORT ?? '27017'}/${database}`;

export async function dropDatabase(database) {
  const client = await MongoClient.connect(mongoUrl('admin'));
  await client
    .db(database)
    .dropDatabase()
    .catch(() => undefined);
  await client.close();
}

async function token(realmName, form) {
  const response = await fetch(`${keycloak}/realms/${realmName}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  if (!response.ok) throw new Error(`Keycloak token (${realmName}, ${form.username}): ${response.status}`);
  return (await response.json()).access_token;
}

/** A user's access token through the realm's password-grant test client (`rs-cli`). */
export const userToken = (username = 'alice', password = 'alice-password') =>
  token(realm, { grant_type: 'password', client_id: 'rs-cli', username, password });

/** A call to the realm's admin REST API as the stack's bootstrap admin. */
export async function keycloakAdmin(path, init = {}) {
  const adminToken = await token('master', {
    grant_type: 'password',
    client_id: 'admin-cli',
    username: process.env.KEYCLOAK_ADMIN_USER ?? 'admin',
    password: process.env.KEYCLOAK_ADMIN_PASSWORD ?? 'admin',
  });
  const response = await fetch(`${keycloak}/admin/realms/${realm}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
  });
  if (!response.ok) throw new Error(`Keycloak admin ${init.method ?? 'GET'} ${path}: ${response.status}`);
  return response;
}

/** A user of the bench's own, who logs in with `password` and holds `realmRoles`; returns its id. */
export async function createUser(username, password, realmRoles) {
  await keycloakAdmin('/users', {
    method: 'POST',
    body: JSON.stringify({
      username,
      enabled: true,
      email: `${username}@example.test`,
      emailVerified: true,
      firstName: username,
      lastName: 'Bench',
      credentials: [{ type: 'password', value: password, temporary: false }],
    }),
  });
  const [user] = await (await keycloakAdmin(`/users?exact=true&username=${username}`)).json();
  const roles = await Promise.all(realmRoles.map(async (role) => (await keycloakAdmin(`/roles/${role}`)).json()));
  await keycloakAdmin(`/users/${user.id}/role-mappings/realm`, { method: 'POST', body: JSON.stringify(roles) });
  return user.id;
}
