// The platform's apps as `npm start` runs them: port, what they are, and the environment they get.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const APPS = [
  { name: 'key-manager', port: 3000, title: 'API Key Manager', docs: true },
  { name: 'auxip', port: 3001, title: 'Auxip (ADGS auxiliary files)', docs: true },
  { name: 'cadip', port: 3002, title: 'Cadip (CADU sessions)', docs: true },
  { name: 'catalog', port: 3003, title: 'STAC catalog', docs: true },
  { name: 'key-worker', port: 3004, title: 'Key worker (usage aggregation, scheduled jobs)', docs: false },
];

export const DEMO_USERS = [
  ['alice', 'alice-password', 'all Auxip/Cadip roles, owner of catalog collection alice:s1-l1'],
  ['bob', 'bob-password', 'rs_cadip_ins_read and rs_catalog_bob:s2-l2_read only'],
  ['carol', 'carol-password', 'no RS-Server role'],
  ['rsadmin', 'rsadmin-password', 'rs_apikey_admin (key administration)'],
];

/** Apps that exist in this checkout (an app folder with a main.ts). */
export function presentApps(root) {
  return APPS.filter((app) => fs.existsSync(path.join(root, 'apps', app.name, 'src', 'main.ts')));
}

/**
 * Development secrets: generated once per clone into .stack/dev-secrets.json (git-ignored), so stored
 * key hashes stay valid across restarts. Real deployments set these variables themselves.
 */
export function devSecrets(root) {
  const file = path.join(process.env.RS_STACK_DIR || path.join(root, '.stack'), 'dev-secrets.json');
  let secrets = {};
  try {
    secrets = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    secrets = { API_KEY_HASH_SECRET: crypto.randomBytes(32).toString('base64url') };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return {
    API_KEY_HASH_SECRET: secrets.API_KEY_HASH_SECRET,
    // Matches docker/keycloak/rs-server-realm.json (a development realm).
    KEYCLOAK_SYNC_CLIENT_SECRET: 'rs-key-manager-dev-secret',
  };
}

/** The environment of every app: dev secrets unless already set, then the caller's environment. */
export function appEnv(root, app, base = process.env) {
  return {
    ...devSecrets(root),
    ...base,
    PORT: String(app.port),
    PUBLIC_URL: `http://127.0.0.1:${app.port}`,
    KEY_MANAGER_URL: base.KEY_MANAGER_URL || 'http://127.0.0.1:3000',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  };
}
