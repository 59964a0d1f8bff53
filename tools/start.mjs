#!/usr/bin/env node
// `npm start`: install what is missing, start Kafka / Mongo-wire DB / Redis / Keycloak (tools/stack), build and
// start every app behind the frontend origin (tools/frontend/proxy.mjs), print where everything is. An app that
// dies is restarted (tools/dev/supervisor.cjs); with --watch an app is rebuilt and restarted when its code or a lib
// it uses changes (tools/dev/watch.mjs). Ctrl-C stops the apps, then the services this run started, whatever state
// the apps are in.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { appEnv, DEMO_USERS, FRONTEND, presentApps } from './apps.mjs';
import { startFrontendProxy } from './frontend/proxy.mjs';
import { Shutdown, shownPath, signalProcess, stopProcess, Supervisor, track } from './dev/supervisor.cjs';
import { bundleHash, bundleOf, watchApps } from './dev/watch.mjs';
import builtApp from './built-app.cjs';
import { ensureNodeRuntime } from './node-runtime.mjs';
import { ensureDependencies, NX_ENV, nxBin, ROOT, say } from './run-util.mjs';

const USAGE = `usage: npm start [-- --watch]
  --watch   rebuild an app when its sources or a lib it uses change, and restart it (services stay up)`;

let options;
try {
  options = parseArgs({ options: { watch: { type: 'boolean' }, help: { type: 'boolean' } } }).values;
} catch (error) {
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

await ensureNodeRuntime();
ensureDependencies();
const { config, down, up } = await import('./stack/index.mjs');
const logs = config().logs;
const shutdown = new Shutdown({ down, say });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => shutdown.request(signal));
let failed = false;
process.on('uncaughtException', (error) => {
  say(`unexpected error: ${error.stack}`);
  failed = true;
  shutdown.request('error');
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function answersHealth(app) {
  try {
    return (await fetch(`http://127.0.0.1:${app.port}/health`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

/** `nx run-many -t build` (cached), as a child the shutdown can stop. */
async function build(apps) {
  const args = ['run-many', '-t', 'build', '-p', ...apps.map((app) => app.name)];
  say(`build: nx ${args.join(' ')}`);
  const started = Date.now();
  const child = spawn(nxBin, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...NX_ENV }, detached: true });
  const record = track(child, { group: true });
  const remove = shutdown.add({
    name: 'build',
    stop: (graceMs) => stopProcess(record, graceMs),
    kill: () => signalProcess(record, 'SIGKILL'),
  });
  const exit = await record.exited;
  remove();
  const ok = exit.code === 0;
  if (!shutdown.reason)
    say(
      `build: ${ok ? 'ok' : `failed (${exit.signal ?? `exit ${exit.code}`})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  return ok;
}

async function main() {
  let stack;
  try {
    stack = await up(undefined, { signal: shutdown.signal });
  } catch (error) {
    if (shutdown.reason) return 0;
    say(`the services could not start: ${error.message}`);
    return 1;
  }
  shutdown.servicesStarted(
    stack.started,
    Object.keys(stack.services).filter((name) => !stack.started.includes(name)),
  );
  if (shutdown.reason) return 0;

  const apps = presentApps(ROOT);
  const taken = [];
  for (const app of apps) if (await builtApp.portAnswers(app.port)) taken.push(`${app.port} (${app.name})`);
  if (await builtApp.portAnswers(FRONTEND.port)) taken.push(`${FRONTEND.port} (frontend)`);
  if (taken.length) {
    say(`port ${taken.join(', ')} already in use: is another \`npm start\` running? Stop it first.`);
    return 1;
  }
  if (!(await build(apps))) return shutdown.reason ? 0 : 1;
  if (shutdown.reason) return 0;

  fs.mkdirSync(logs, { recursive: true });
  const logFile = (name) => path.join(logs, `${name}.log`);
  const running = new Map();
  const supervisor = new Supervisor({
    say,
    logFile,
    gaveUpHint: options.watch
      ? 'It starts again when its code changes.'
      : 'Fix the cause and restart `npm start` (with `-- --watch` it starts again when its code changes).',
    spawnApp(name) {
      const app = apps.find((candidate) => candidate.name === name);
      const out = fs.openSync(logFile(name), 'a');
      fs.writeSync(out, `\n=== ${new Date().toISOString()} npm start: ${name}\n`);
      const child = spawn(process.execPath, ['--enable-source-maps', bundleOf(name)], {
        cwd: ROOT,
        env: appEnv(ROOT, app),
        stdio: ['ignore', out, out],
        // Its own process group: a Ctrl-C in the terminal reaches `npm start` alone, which stops the apps in order.
        detached: true,
      });
      fs.closeSync(out);
      return child;
    },
    onStart(name, record, earlierStarts) {
      running.set(name, bundleHash(name));
      if (earlierStarts)
        void sayWhenHealthy(
          apps.find((app) => app.name === name),
          record,
        );
    },
  });
  shutdown.add({ name: 'apps', stop: (graceMs) => supervisor.stop(graceMs), kill: () => supervisor.kill() });

  async function sayWhenHealthy(app, record) {
    while (!record.exit && !shutdown.reason) {
      if (await answersHealth(app)) {
        say(
          `${app.name} is up again (healthy ${((Date.now() - record.startedAt) / 1000).toFixed(1)} s after its start)`,
        );
        return;
      }
      await sleep(300);
    }
  }

  async function healthy(app, timeoutMs = 120000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !shutdown.reason) {
      const { status } = supervisor.state(app.name);
      if (status === 'failed') return false;
      if (status === 'running' && (await answersHealth(app))) return true;
      await sleep(300);
    }
    return false;
  }

  const frontend = await startFrontendProxy({
    port: FRONTEND.port,
    targets: Object.fromEntries(apps.map((app) => [app.name, `http://127.0.0.1:${app.port}`])),
  });
  const closeFrontend = () => {
    frontend.closeAllConnections();
    return new Promise((resolve) => frontend.close(resolve));
  };
  shutdown.add({ name: 'frontend', stop: closeFrontend, kill: closeFrontend });

  for (const app of apps) supervisor.start(app.name);
  const results = await Promise.all(apps.map(async (app) => [app, await healthy(app)]));
  if (shutdown.reason) return 0;
  const unhealthy = results.filter(([, ok]) => !ok).map(([app]) => app.name);
  if (unhealthy.length && !options.watch) {
    say(`did not become healthy: ${unhealthy.join(', ')} (logs in ${shownPath(logs)}/)`);
    return 1;
  }

  const lines = [
    '',
    `RS-Server OAuth2 & API key platform is running. Start here: ${FRONTEND.url}/ (portal)`,
    `  ${'RS-Server frontend (every service, one origin)'.padEnd(48)} ${FRONTEND.url}${FRONTEND.docs}`,
    ...apps.map((app) => `  ${app.title.padEnd(48)} http://127.0.0.1:${app.port}${app.docs ? '/docs' : '/health'}`),
    '  Keycloak (realm rs-server)                       http://127.0.0.1:8180/realms/rs-server/account',
    '',
    'Demo users (Keycloak realm rs-server):',
    ...DEMO_USERS.map(([user, password, what]) => `  ${user.padEnd(8)} / ${password.padEnd(17)} ${what}`),
    '',
    'Get an API key: open the RS-Server frontend, Authorize, then "Create Api Key". ' +
      `Logs: ${shownPath(logs)}/. Ctrl-C stops everything.`,
    options.watch
      ? 'Watch mode: an app is rebuilt and restarted when its sources or a lib it uses change.'
      : 'A crashed app is restarted. `npm start -- --watch` also rebuilds and restarts apps when their code changes.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  if (unhealthy.length) say(`not healthy: ${unhealthy.join(', ')}; it starts again when its code changes`);

  if (options.watch) {
    shutdown.add(
      watchApps({
        apps: apps.map((app) => app.name),
        running,
        restart: (name) => supervisor.restart(name),
        say,
        logFile: path.join(logs, 'watch.log'),
      }),
    );
  }
  await shutdown.requested;
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  say(`npm start failed: ${error.stack}`);
} finally {
  await shutdown.run();
}
process.exit(failed ? 1 : code);
