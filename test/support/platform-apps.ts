// Starts the built apps (dist/apps/<app>/main.js) as child processes, the way `npm start` runs them, for
// tests that need the platform over real HTTP (the browser journey). The services (Kafka, Mongo-wire DB,
// Redis, Keycloak) must be up: the integration target runs under `tools/stack/stack.mjs run`.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { portAnswers, tail } from '../../tools/built-app.cjs';

export const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Ports of `npm start`, as in tools/apps.mjs (ESM, so not importable from these CommonJS tests): keep both
 * in step. Keycloak's swagger-ui client only accepts redirects to these ports.
 */
export const APP_PORTS = { 'key-manager': 3000, auxip: 3001, cadip: 3002, catalog: 3003, 'key-worker': 3004 } as const;
export type AppName = keyof typeof APP_PORTS;

export const appUrl = (app: AppName): string => `http://127.0.0.1:${APP_PORTS[app]}`;

/** The frontend origin of `npm start` (tools/apps.mjs FRONTEND): every app routed by path (tools/frontend/proxy.mjs). */
export const FRONTEND_PORT = 3080;
export const frontendUrl = `http://127.0.0.1:${FRONTEND_PORT}`;

/** The environment tools/apps.mjs appEnv gives an app; secrets come from integration-env.ts. */
export function appEnv(app: AppName, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: String(APP_PORTS[app]),
    PUBLIC_URL: appUrl(app),
    KEY_MANAGER_URL: process.env['KEY_MANAGER_URL'] || appUrl('key-manager'),
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...overrides,
  };
}

export interface RunningApps {
  stop(): Promise<void>;
}

/** Stops a child with SIGTERM, then SIGKILL after 10 s. */
function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts the frontend proxy of `npm start` on FRONTEND_PORT in front of the apps of APP_PORTS, logging into
 * `logDir/frontend.log`; resolves once it answers.
 */
export async function startFrontend(logDir: string): Promise<RunningApps> {
  if (await portAnswers(FRONTEND_PORT))
    throw new Error(`port ${FRONTEND_PORT} of the frontend is in use (is \`npm start\` running? stop it first)`);
  fs.mkdirSync(logDir, { recursive: true });
  const log = fs.openSync(path.join(logDir, 'frontend.log'), 'w');
  const targets = Object.keys(APP_PORTS).map((app) => `${app}=${appUrl(app as AppName)}`);
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'tools', 'frontend', 'proxy.mjs'), '--port', String(FRONTEND_PORT), ...targets],
    { cwd: ROOT, stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  const deadline = Date.now() + 15000;
  while (!(await portAnswers(FRONTEND_PORT))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`the frontend proxy did not start:\n${tail(path.join(logDir, 'frontend.log'))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { stop: () => stopChild(child) };
}

/**
 * Starts each app with its environment, logs into `logDir/<app>.log`, and resolves once every /health
 * answers. Fails at once, naming the cause, when a build is missing or a port is taken (by `npm start`).
 */
export async function startApps(
  apps: Partial<Record<AppName, Record<string, string>>>,
  logDir: string,
): Promise<RunningApps> {
  const names = Object.keys(apps) as AppName[];
  const missing = names.filter((app) => !fs.existsSync(path.join(ROOT, 'dist', 'apps', app, 'main.js')));
  if (missing.length)
    throw new Error(`not built: ${missing.join(', ')}; run \`npx nx run-many -t build -p ${missing.join(' ')}\``);
  const taken = (
    await Promise.all(names.map(async (app) => ((await portAnswers(APP_PORTS[app])) ? app : undefined)))
  ).filter(Boolean);
  if (taken.length)
    throw new Error(`port(s) of ${taken.join(', ')} already in use (is \`npm start\` running? stop it first)`);

  fs.mkdirSync(logDir, { recursive: true });
  const children = new Map<AppName, ChildProcess>();
  const stop = async (): Promise<void> => {
    await Promise.all([...children.values()].map(stopChild));
  };

  for (const app of names) {
    const log = fs.openSync(path.join(logDir, `${app}.log`), 'w');
    const child = spawn(process.execPath, ['--enable-source-maps', path.join(ROOT, 'dist', 'apps', app, 'main.js')], {
      cwd: ROOT,
      env: appEnv(app, apps[app]),
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    children.set(app, child);
  }

  try {
    await Promise.all(
      names.map(async (app) => {
        const deadline = Date.now() + 90000;
        while (Date.now() < deadline) {
          const child = children.get(app);
          if (child?.exitCode !== null || child?.signalCode !== null)
            throw new Error(`${app} exited:\n${tail(path.join(logDir, `${app}.log`))}`);
          const healthy = await fetch(`${appUrl(app)}/health`, { signal: AbortSignal.timeout(1000) }).then(
            (response) => response.ok,
            () => false,
          );
          if (healthy) return;
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
        throw new Error(`${app} not healthy within 90 s:\n${tail(path.join(logDir, `${app}.log`))}`);
      }),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}
