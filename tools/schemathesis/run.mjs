#!/usr/bin/env node
// Step of `npm test`: every committed OpenAPI spec (docs/openapi/<app>.json) must hold under schemathesis
// against the real app. Starts the built key manager, Auxip, Cadip and the catalog on free ports with
// databases of their own, logs in as the demo user alice (bearer token for the key manager, an API key
// she creates for the services), then runs schemathesis on each spec: every check, every phase
// (stateful links included), a fixed seed and a time budget per spec. Any failure fails the step. Each
// spec's console report goes to test-output/schemathesis/<app>.log and is printed whole when the spec fails.
// The services (Kafka, Mongo-wire DB, Redis, Keycloak) must be up: run it under tools/stack/stack.mjs run.
//   node tools/schemathesis/run.mjs [app...]     default: every HTTP app
// Environment: SCHEMATHESIS_MAX_TIME (seconds per spec), SCHEMATHESIS_SEED.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { nxBin, NX_ENV, ROOT } from '../run-util.mjs';
import { ensureSchemathesis } from './ensure.mjs';

const { startBuiltApp, uniqueDatabase } = createRequire(import.meta.url)('../built-app.cjs');

const HERE = path.dirname(new URL(import.meta.url).pathname);
const APPS = ['key-manager', 'auxip', 'cadip', 'catalog'];
const SEED = process.env.SCHEMATHESIS_SEED || '190101';
const MAX_TIME = process.env.SCHEMATHESIS_MAX_TIME || '40';
const OUT_DIR = path.join(ROOT, 'test-output', 'schemathesis');
const KEYCLOAK_URL = process.env.KEYCLOAK_URL || `http://127.0.0.1:${process.env.KEYCLOAK_PORT || '8180'}`;
const MONGO = `mongodb://127.0.0.1:${process.env.MONGO_PORT || '27017'}`;
const REDIS_URL = process.env.REDIS_URL || `redis://127.0.0.1:${process.env.REDIS_PORT || '6379'}`;
// Development secrets of the local stack only (the realm's dev client secret, a throwaway hash secret).
const SECRETS = {
  API_KEY_HASH_SECRET: `schemathesis-${randomBytes(24).toString('hex')}`,
  KEYCLOAK_SYNC_CLIENT_SECRET: 'rs-key-manager-dev-secret',
};

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
function say(message) {
  process.stdout.write(`[schemathesis] ${message}\n`);
}

/** Starts a built app with the shared launcher (tools/built-app.cjs) and its logs in OUT_DIR. */
function startApp(name, env) {
  return startBuiltApp(name, { env: { ...SECRETS, ...env }, logDir: OUT_DIR, nodeArgs: ['--enable-source-maps'] });
}

/** A real access token of a demo user (password grant through the realm's test-only public client). */
async function userToken(username, password) {
  const response = await fetch(`${KEYCLOAK_URL}/realms/rs-server/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'rs-cli', username, password }),
  });
  const body = await response.json();
  if (!response.ok || !body.access_token)
    throw new Error(`Keycloak token for ${username} refused: ${response.status} ${body.error_description ?? ''}`);
  return body.access_token;
}

async function createApiKey(keyManagerUrl, token) {
  const response = await fetch(`${keyManagerUrl}/auth/api_key/new?name=schemathesis&never_expires=true`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(`creating alice's API key failed: ${response.status} ${await response.text()}`);
  return response.json();
}

// Rich (schemathesis's console) takes any FORCE_COLOR, even 0, as a terminal and redraws a progress bar into logs.
function withoutForceColor(env) {
  const { FORCE_COLOR, ...rest } = env;
  return rest;
}

/** The "N generated, N passed, ..." line under "Test cases:" in a schemathesis report, or undefined. */
function testCasesLine(log) {
  const lines = log.split('\n');
  const at = lines.findIndex((line) => line.trim() === 'Test cases:');
  return at >= 0 ? lines[at + 1]?.trim() : undefined;
}

/**
 * Runs schemathesis on one spec with its console report in OUT_DIR/<app>.log; prints the report's test-case
 * count, and the whole report when the spec fails. Resolves with the exit code.
 */
function schemathesis(st, app, url, header) {
  const args = [
    '--config-file',
    path.join(HERE, 'schemathesis.toml'),
    'run',
    path.join(ROOT, 'docs', 'openapi', `${app}.json`),
    '--url',
    url,
    '--header',
    header,
    '--checks',
    'all',
    '--phases',
    'examples,coverage,fuzzing,stateful',
    '--seed',
    SEED,
    '--max-time',
    MAX_TIME,
    '--generation-database',
    'none',
    '--request-timeout',
    '10',
    '--no-color',
    '--output-sanitize',
    'true',
    '--report',
    'junit',
    '--report-junit-path',
    path.join(OUT_DIR, `${app}.junit.xml`),
  ];
  const logPath = path.join(OUT_DIR, `${app}.log`);
  say(`${app}: st run docs/openapi/${app}.json --url ${url} --checks all --seed ${SEED} --max-time ${MAX_TIME}`);
  const log = fs.openSync(logPath, 'w');
  return new Promise((resolve) => {
    const child = spawn(st, args, {
      cwd: OUT_DIR,
      stdio: ['ignore', log, log],
      // hooks.py: the rules between parameters (and with the clock) that OpenAPI 3.0 cannot state.
      env: {
        ...withoutForceColor(process.env),
        SCHEMATHESIS_HOOKS: 'hooks',
        PYTHONPATH: HERE,
        PYTHONDONTWRITEBYTECODE: '1',
      },
    });
    // 'exit' may or may not follow an 'error' (schemathesis could not start): report once.
    let done = false;
    child.on('error', (error) => {
      if (done) return;
      done = true;
      fs.closeSync(log);
      say(`${app}: could not run schemathesis: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code) => {
      if (done) return;
      done = true;
      fs.closeSync(log);
      const report = fs.readFileSync(logPath, 'utf8');
      if (code !== 0) process.stdout.write(report);
      say(`${app} test cases: ${testCasesLine(report) ?? `none counted, see ${path.relative(ROOT, logPath)}`}`);
      resolve(code ?? 1);
    });
  });
}

async function dropDatabases(names) {
  try {
    const { MongoClient } = await import('mongodb');
    const client = new MongoClient(MONGO, { serverSelectionTimeoutMS: 3000 });
    try {
      for (const name of names) await client.db(name).dropDatabase();
    } finally {
      await client.close();
    }
  } catch (error) {
    say(`could not drop the test databases ${names.join(', ')}: ${error.message}`);
  }
}

const requested = process.argv.slice(2);
const unknown = requested.filter((app) => !APPS.includes(app));
if (unknown.length) {
  say(`unknown app(s) ${unknown.join(', ')}; apps: ${APPS.join(', ')}`);
  process.exit(2);
}
const targets = requested.length ? requested : APPS;
fs.mkdirSync(OUT_DIR, { recursive: true });

let st;
try {
  st = ensureSchemathesis();
} catch (error) {
  say(error.message);
  process.exit(1);
}

say('building the apps (cached when unchanged)');
const build = spawnSync(nxBin, ['run-many', '-t', 'build', '-p', ...APPS, '--output-style=static'], {
  cwd: ROOT,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, ...NX_ENV },
});
if (build.status !== 0) {
  say(`nx build failed (exit ${build.status}); run \`npx nx run-many -t build -p ${APPS.join(' ')}\``);
  process.exit(1);
}

const databases = { keys: uniqueDatabase('stkeys'), catalog: uniqueDatabase('stcatalog') };
const running = [];
const results = [];
try {
  say(`starting the apps (logs in ${path.relative(ROOT, OUT_DIR)}/) after ${elapsed()}`);
  const keyManager = await startApp('key-manager', {
    MONGO_URL: `${MONGO}/${databases.keys}`,
    // A Redis database of its own, and no throttling: every generated request comes from 127.0.0.1, and the
    // negative tests' malformed keys would otherwise have alice's own key refused with 429.
    REDIS_URL: `${REDIS_URL.replace(/\/\d*$/, '')}/10`,
    CHECK_FAILURE_LIMIT: '1000000',
  });
  running.push(keyManager);
  const services = await Promise.all(
    ['auxip', 'cadip', 'catalog']
      .filter((app) => targets.includes(app))
      .map((app) =>
        startApp(app, {
          KEY_MANAGER_URL: keyManager.url,
          ...(app === 'catalog' ? { MONGO_URL: `${MONGO}/${databases.catalog}` } : {}),
        }),
      ),
  );
  running.push(...services);
  const apiKey = await createApiKey(keyManager.url, await userToken('alice', 'alice-password'));
  say(`apps healthy, alice's API key created, after ${elapsed()}`);

  for (const app of targets) {
    const { url } = running.find((candidate) => candidate.name === app);
    // A fresh token per spec: access tokens live a few minutes.
    const header =
      app === 'key-manager'
        ? `Authorization: Bearer ${await userToken('alice', 'alice-password')}`
        : `x-api-key: ${apiKey}`;
    const specStarted = Date.now();
    const code = await schemathesis(st, app, url, header);
    results.push([app, code, (Date.now() - specStarted) / 1000]);
  }
} catch (error) {
  say(error.message);
  results.push(['setup', 1, 0]);
} finally {
  await Promise.all(running.map((app) => app.stop()));
  await dropDatabases(Object.values(databases));
}

say(`summary after ${elapsed()} (seed ${SEED}, ${MAX_TIME} s per spec; reports in ${path.relative(ROOT, OUT_DIR)}/):`);
for (const [app, code, seconds] of results)
  say(`  ${code === 0 ? 'PASS' : 'FAIL'}  ${app}${seconds ? ` (${seconds.toFixed(0)} s)` : ''}`);
process.exit(results.length && results.every(([, code]) => code === 0) ? 0 : 1);
