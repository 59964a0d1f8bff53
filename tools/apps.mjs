// The platform's apps as `npm start` runs them: port, what they are, and the environment they get.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import kafkaPrincipals from './stack/lib/kafka-principals.cjs';

export const APPS = [
  { name: 'key-manager', port: 3000, title: 'API Key Manager', docs: true, database: 'rs_keys' },
  { name: 'auxip', port: 3001, title: 'Auxip (ADGS auxiliary files)', docs: true, keyCheckClient: 'rs-auxip' },
  { name: 'cadip', port: 3002, title: 'Cadip (CADU sessions)', docs: true, keyCheckClient: 'rs-cadip' },
  {
    name: 'catalog',
    port: 3003,
    title: 'STAC catalog',
    docs: true,
    database: 'rs_catalog',
    keyCheckClient: 'rs-catalog',
  },
  {
    name: 'key-worker',
    port: 3004,
    title: 'Key worker (usage aggregation, scheduled jobs)',
    docs: false,
    database: 'rs_keys',
  },
];

/**
 * The frontend origin: every app behind one port, routed by path as the chart's ingress does
 * (tools/frontend/proxy.mjs); its Swagger UI, served by the key manager, is at /frontend/docs.
 */
export const FRONTEND = { port: 3080, url: 'http://127.0.0.1:3080', docs: '/frontend/docs' };

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

/**
 * Where the apps find the services when tools/stack runs them on other ports (its KAFKA_PORT, MONGO_PORT, REDIS_PORT,
 * KEYCLOAK_PORT): the apps' own defaults are the stack's default ports.
 */
function serviceUrls(app, base) {
  const urls = {};
  if (base.KAFKA_PORT) urls.KAFKA_BROKERS = `127.0.0.1:${base.KAFKA_PORT}`;
  if (base.MONGO_PORT && app.database) urls.MONGO_URL = `mongodb://127.0.0.1:${base.MONGO_PORT}/${app.database}`;
  // The guarded services (a key-check client) enforce per-key request limits only when given REDIS_URL.
  if (base.REDIS_PORT || app.keyCheckClient) urls.REDIS_URL = `redis://127.0.0.1:${base.REDIS_PORT || 6379}`;
  if (base.KEYCLOAK_PORT) urls.KEYCLOAK_URL = `http://127.0.0.1:${base.KEYCLOAK_PORT}`;
  return urls;
}

/**
 * A guarded service's Keycloak client for key checks: the development realm's secret is `<client>-dev-secret`
 * (docker/keycloak/rs-server-realm.json), a value production refuses.
 */
export function keyCheckCredentials(app) {
  if (!app.keyCheckClient) return {};
  return { KEY_CHECK_CLIENT_ID: app.keyCheckClient, KEY_CHECK_CLIENT_SECRET: `${app.keyCheckClient}-dev-secret` };
}

/** An app's user on the stack's Kafka broker (tools/stack/lib/kafka-principals.cjs), whose ACLs limit it. */
export function kafkaCredentials(app) {
  return kafkaPrincipals.kafkaAppEnv(app.name);
}

/**
 * The key worker's expiry notices go to the stack's SMTP mailbox (tools/stack/lib/smtp-mailbox.mjs, read at
 * http://127.0.0.1:8025/messages): plain text, which the worker allows to a loopback relay only. A relay of
 * the caller's (SMTP_HOST set) is left whole.
 */
export function devMailEnv(app, base) {
  if (app.name !== 'key-worker' || base.SMTP_HOST) return {};
  return {
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: base.SMTP_SINK_PORT || '1025',
    SMTP_SECURITY: 'none',
    SMTP_FROM: 'RS-Server API keys <no-reply@rs-server.localhost>',
    PORTAL_URL: FRONTEND.url,
  };
}

/** The environment of every app: dev secrets and service URLs unless already set, then the caller's environment. */
export function appEnv(root, app, base = process.env) {
  return {
    ...devSecrets(root),
    ...keyCheckCredentials(app),
    ...kafkaCredentials(app),
    ...serviceUrls(app, base),
    ...devMailEnv(app, base),
    ...base,
    PORT: String(app.port),
    PUBLIC_URL: `http://127.0.0.1:${app.port}`,
    KEY_MANAGER_URL: base.KEY_MANAGER_URL || 'http://127.0.0.1:3000',
    ...(app.name === 'key-manager' ? { FRONTEND_URL: base.FRONTEND_URL || FRONTEND.url } : {}),
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  };
}
