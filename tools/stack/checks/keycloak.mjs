// Smoke check of the rs-server realm: password grant via rs-cli, JWT verified against the realm JWKS,
// iss/aud/sub/roles, and the rs-key-manager service account reading users through the admin API.
// Needs jose. Usage: node tools/stack/checks/keycloak.mjs
import { createRemoteJWKSet, jwtVerify } from 'jose';

const base = `http://127.0.0.1:${process.env.KEYCLOAK_PORT || 8180}`;
const issuer = `${base}/realms/rs-server`;
const assert = (c, m) => {
  if (!c) throw new Error(`keycloak check failed: ${m}`);
};
async function token(body) {
  const r = await fetch(`${issuer}/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams(body) });
  const j = await r.json();
  assert(r.ok, `token ${body.grant_type} ${body.username || body.client_id}: ${r.status} ${JSON.stringify(j)}`);
  return j.access_token;
}
const wk = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
const jwks = createRemoteJWKSet(new URL(wk.jwks_uri));
async function userClaims(username) {
  const at = await token({
    grant_type: 'password',
    client_id: 'rs-cli',
    username,
    password: `${username}-password`,
    scope: 'openid',
  });
  const { payload } = await jwtVerify(at, jwks, { issuer, audience: 'rs-server' }); // signature, iss, aud
  return payload;
}
const rsRoles = (p) => (p.realm_access?.roles || []).filter((r) => r.startsWith('rs_')).sort();

const alice = await userClaims('alice');
assert(alice.sub, 'sub present');
assert([].concat(alice.aud).includes('rs-server'), 'aud contains rs-server');
for (const r of [
  'rs_auxip_adgs_read',
  'rs_auxip_adgs_download',
  'rs_cadip_ins_read',
  'rs_cadip_mps_download',
  'rs_catalog_alice:s1-l1_write',
]) {
  assert(rsRoles(alice).includes(r), `alice has ${r}`);
}
assert(!rsRoles(alice).includes('rs_apikey_admin'), 'alice is not admin');
assert(rsRoles(await userClaims('bob')).join() === 'rs_cadip_ins_read,rs_catalog_bob:s2-l2_read', 'bob roles');
assert(rsRoles(await userClaims('carol')).length === 0, 'carol has no RS roles');
assert(rsRoles(await userClaims('rsadmin')).includes('rs_apikey_admin'), 'rsadmin is admin');
console.log(
  `keycloak: rs-cli password grant ok; iss ${alice.iss}, aud ${JSON.stringify(alice.aud)}, alice has ${rsRoles(alice).length} RS roles`,
);

const sa = await token({
  grant_type: 'client_credentials',
  client_id: 'rs-key-manager',
  client_secret: 'rs-key-manager-dev-secret',
});
const h = { authorization: `Bearer ${sa}` };
const users = await (
  await fetch(`${base}/admin/realms/rs-server/users?username=alice&exact=true`, { headers: h })
).json();
assert(
  users[0]?.attributes?.organization?.[0] === 'ESA',
  `alice organization attribute (${JSON.stringify(users[0]?.attributes)})`,
);
assert(users[0]?.attributes?.max_requests_per_day?.[0] === '10000', 'alice max_requests_per_day attribute');
const mappings = await (
  await fetch(`${base}/admin/realms/rs-server/users/${users[0].id}/role-mappings/realm/composite`, { headers: h })
).json();
assert(
  mappings.some((r) => r.name === 'rs_cadip_ins_read'),
  'alice role mappings readable',
);
const admins = await (await fetch(`${base}/admin/realms/rs-server/roles/rs_apikey_admin/users`, { headers: h })).json();
assert(admins.map((u) => u.username).join() === 'rsadmin', 'users in rs_apikey_admin');
const write = await fetch(`${base}/admin/realms/rs-server/users/${users[0].id}`, {
  method: 'PUT',
  headers: { ...h, 'content-type': 'application/json' },
  body: '{"firstName":"X"}',
});
assert(write.status === 403, `service account cannot write users (got ${write.status})`);
console.log('keycloak: rs-key-manager service account reads users, attributes and role mappings; writes are 403');
console.log('KEYCLOAK OK');
