// Starts built apps (dist/apps/<app>/main.js) on free ports for the benchmarks; Node builtins only.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** The bench scripts' options, `--name value [--name value…]`, as { name: value } (every value a string). */
export function benchArgs(argv = process.argv.slice(2)) {
  return Object.fromEntries(
    argv
      .join(' ')
      .split('--')
      .filter(Boolean)
      .map((pair) => pair.trim().split(/\s+/)),
  );
}
export const LOG_DIR = path.join(ROOT, 'test-output', 'bench');

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Latin letters only (the local Mongo-wire DB's rule). */
export function uniqueDatabase(prefix) {
  return prefix + [...randomBytes(8)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('');
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Development secrets of the local stack (the realm's dev client secret), for apps that require them. */
const BENCH_SECRETS = {
  API_KEY_HASH_SECRET: 'bench-only-hash-secret-0123456789abcdef',
  KEYCLOAK_SYNC_CLIENT_SECRET: 'rs-key-manager-dev-secret',
};

/** Spawns the app, resolves { url, logFile, waitForLog, stop } once /health answers. */
export async function startBuiltApp(name, env = {}) {
  const main = path.join(ROOT, 'dist', 'apps', name, 'main.js');
  if (!fs.existsSync(main))
    throw new Error(`${name} is not built: npx nx run-many -t build -p key-manager auxip cadip catalog`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${name}-${port}.log`);
  const log = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: {
      ...BENCH_SECRETS,
      ...process.env,
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      PORT: String(port),
      PUBLIC_URL: url,
      ...env,
    },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const until = async (probe, what, timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exited()) throw new Error(`${name} exited while waiting for ${what}; see ${logFile}`);
      if (await probe()) return;
      await sleep(200);
    }
    throw new Error(`${name}: no ${what} within ${timeoutMs} ms; see ${logFile}`);
  };
  const stop = () =>
    new Promise((resolve) => {
      if (exited()) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  try {
    await until(
      () =>
        fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) }).then(
          (response) => response.ok,
          () => false,
        ),
      'health',
      90_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    name,
    url,
    logFile,
    stop,
    kill: (signal) => child.kill(signal),
    exited: new Promise((resolve) => (exited() ? resolve() : child.once('exit', resolve))),
    waitForLog: (text, timeoutMs = 60_000) =>
      until(() => fs.readFileSync(logFile, 'utf8').includes(text), `'${text}' in the log`, timeoutMs),
  };
}

/** Percentiles (nearest rank) of a list of numbers. */
export function percentiles(values, ranks = [50, 90, 99]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return { n: sorted.length, ...Object.fromEntries(ranks.map((p) => [`p${p}`, at(p)])), max: sorted.at(-1) };
}
