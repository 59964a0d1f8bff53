#!/usr/bin/env node
// `npm start`: install what is missing, start Kafka / Mongo-wire DB / Redis / Keycloak (tools/stack),
// build and start every app, print where everything is. Ctrl-C stops all of it cleanly.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { appEnv, DEMO_USERS, presentApps } from './apps.mjs';
import { ensureDependencies, nxBin, ROOT, run, say } from './run-util.mjs';

ensureDependencies();
const { up, down } = await import('./stack/index.mjs');

const children = new Map();
let stopping = false;

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  say('stopping apps');
  await Promise.all(
    [...children.entries()].map(
      ([name, child]) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
          child.once('exit', () => {
            clearTimeout(timer);
            say(`${name}: stopped`);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  if (started.length) await down(started);
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void stopAll(0));

let started = [];
try {
  started = (await up()).started;
} catch (error) {
  say(`the services could not start: ${error.message}`);
  process.exit(1);
}

const apps = presentApps(ROOT);
if ((await run(nxBin, ['run-many', '-t', 'build', '-p', ...apps.map((app) => app.name)], { label: 'build' })) !== 0)
  await stopAll(1);

fs.mkdirSync(path.join(ROOT, '.stack', 'logs'), { recursive: true });
for (const app of apps) {
  const logFile = path.join(ROOT, '.stack', 'logs', `${app.name}.log`);
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', path.join(ROOT, 'dist', 'apps', app.name, 'main.js')],
    {
      cwd: ROOT,
      env: appEnv(ROOT, app),
      stdio: ['ignore', out, out],
    },
  );
  children.set(app.name, child);
  child.on('exit', (code, signal) => {
    if (!stopping) say(`${app.name} exited (${signal ?? code}); see ${path.relative(ROOT, logFile)}`);
  });
}

async function healthy(app, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (children.get(app.name)?.exitCode !== null) return false;
    try {
      const response = await fetch(`http://127.0.0.1:${app.port}/health`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return false;
}

const results = await Promise.all(apps.map(async (app) => [app, await healthy(app)]));
const failed = results.filter(([, ok]) => !ok).map(([app]) => app.name);
if (failed.length) {
  say(`did not become healthy: ${failed.join(', ')} (logs in .stack/logs/)`);
  await stopAll(1);
}

const lines = [
  '',
  'RS-Server OAuth2 & API key platform is running. Start here: http://127.0.0.1:3000/ (portal)',
  ...apps.map((app) => `  ${app.title.padEnd(48)} http://127.0.0.1:${app.port}${app.docs ? '/docs' : '/health'}`),
  '  Keycloak (realm rs-server)                       http://127.0.0.1:8180/realms/rs-server/account',
  '',
  'Demo users (Keycloak realm rs-server):',
  ...DEMO_USERS.map(([user, password, what]) => `  ${user.padEnd(8)} / ${password.padEnd(17)} ${what}`),
  '',
  'Get an API key: open the API Key Manager, Authorize, then "Create Api Key". Logs: .stack/logs/. Ctrl-C stops everything.',
  '',
];
process.stdout.write(lines.join('\n') + '\n');
