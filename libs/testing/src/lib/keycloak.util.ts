import { stackEndpoints } from './stack-endpoints';

export const DEMO_PASSWORDS: Record<string, string> = {
  alice: 'alice-password',
  bob: 'bob-password',
  carol: 'carol-password',
  rsadmin: 'rsadmin-password',
};

async function token(realm: string, form: Record<string, string>): Promise<string> {
  const response = await fetch(`${stackEndpoints.keycloakUrl}/realms/${realm}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  const body = (await response.json()) as { access_token?: string; error_description?: string };
  if (!response.ok || !body.access_token)
    throw new Error(
      `Keycloak token for ${form['username'] ?? form['client_id']} refused: ${response.status} ${body.error_description ?? ''}`,
    );
  return body.access_token;
}

/** A real access token of a demo user (password grant through the test-only public client `rs-cli`). */
export function userToken(username: string, password = DEMO_PASSWORDS[username]): Promise<string> {
  return token(stackEndpoints.realm, {
    grant_type: 'password',
    client_id: 'rs-cli',
    username,
    password: password ?? '',
  });
}

/** The bootstrap admin of the master realm, for tests that change users (disable, re-enable). */
function adminToken(): Promise<string> {
  return token('master', {
    grant_type: 'password',
    client_id: 'admin-cli',
    username: process.env['KEYCLOAK_ADMIN_USER'] ?? 'admin',
    password: process.env['KEYCLOAK_ADMIN_PASSWORD'] ?? 'admin',
  });
}

async function adminCall(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`${stackEndpoints.keycloakUrl}/admin/realms/${stackEndpoints.realm}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${await adminToken()}`,
      'content-type': 'application/json',
      ...(init.headers ?? {}),
    },
  });
  if (!response.ok) throw new Error(`Keycloak admin ${init.method ?? 'GET'} ${path}: ${response.status}`);
  return response;
}

export async function userId(username: string): Promise<string> {
  const users = (await (
    await adminCall(`/users?exact=true&username=${encodeURIComponent(username)}`)
  ).json()) as Array<{ id: string }>;
  if (!users[0]) throw new Error(`no Keycloak user ${username}`);
  return users[0].id;
}

export async function setUserEnabled(username: string, enabled: boolean): Promise<void> {
  await adminCall(`/users/${await userId(username)}`, { method: 'PUT', body: JSON.stringify({ enabled }) });
}

/**
 * A user of the realm made for one test, who can log in with `password` and holds `realmRoles`; returns its id. Its
 * e-mail address is `email`, by default `<username>@example.test`.
 */
export async function createUser(
  username: string,
  password: string,
  realmRoles: string[],
  { email = `${username}@example.test` }: { email?: string } = {},
): Promise<string> {
  await adminCall('/users', {
    method: 'POST',
    body: JSON.stringify({
      username,
      enabled: true,
      email,
      emailVerified: true,
      firstName: username,
      lastName: 'Test',
      credentials: [{ type: 'password', value: password, temporary: false }],
    }),
  });
  const id = await userId(username);
  await setRealmRoles(username, realmRoles, 'POST');
  return id;
}

export async function removeRealmRoles(username: string, realmRoles: string[]): Promise<void> {
  await setRealmRoles(username, realmRoles, 'DELETE');
}

async function setRealmRoles(username: string, realmRoles: string[], method: 'POST' | 'DELETE'): Promise<void> {
  const roles = await Promise.all(
    realmRoles.map(async (role) => (await adminCall(`/roles/${encodeURIComponent(role)}`)).json()),
  );
  await adminCall(`/users/${await userId(username)}/role-mappings/realm`, { method, body: JSON.stringify(roles) });
}

export async function deleteUser(username: string): Promise<void> {
  await adminCall(`/users/${await userId(username)}`, { method: 'DELETE' });
}
