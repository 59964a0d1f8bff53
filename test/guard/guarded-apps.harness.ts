// Starts the built apps (dist/apps/<app>/main.js) as child processes on free ports, for the cross-app guard
// tests: the real key manager and the three guarded services, over real HTTP, Kafka and Keycloak.
import { freePort, stackEndpoints } from '@rs/testing';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const LOG_DIR = path.join(ROOT, 'test-output', 'guard');

export type GuardedAppName = 'key-manager' | 'auxip' | 'cadip' | 'catalog';

export interface RunningApp {
  name: GuardedAppName;
  url: string;
  logFile: string;
  /** Resolves when the log contains `text` (e.g. the lifecycle consumer joined its group). */
  waitForLog(text: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** A database name of latin letters only (the local Mongo-wire DB's rule), unique per call. */
export function uniqueDatabase(prefix: string): string {
  return prefix + [...randomBytes(8)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('');
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * The key manager counts failed key checks per client IP in Redis, and every test client is 127.0.0.1: a
 * Redis database of its own keeps these tests from being throttled by other key managers on the machine.
 */
function isolatedRedis(name: GuardedAppName): Record<string, string> {
  return name === 'key-manager' ? { REDIS_URL: `${stackEndpoints.redisUrl.replace(/\/\d*$/, '')}/9` } : {};
}

/** Starts one built app with `env` on top of this process's environment; resolves once /health answers. */
export async function startBuiltApp(name: GuardedAppName, env: Record<string, string> = {}): Promise<RunningApp> {
  const main = path.join(ROOT, 'dist', 'apps', name, 'main.js');
  if (!fs.existsSync(main))
    throw new Error(`${name} is not built; run \`npx nx run-many -t build -p key-manager auxip cadip catalog\``);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${name}-${port}.log`);
  const log = fs.openSync(logFile, 'w');
  const child: ChildProcess = spawn(process.execPath, ['--enable-source-maps', main], {
    cwd: ROOT,
    env: {
      ...process.env,
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      PORT: String(port),
      PUBLIC_URL: url,
      ...isolatedRedis(name),
      ...env,
    },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (exited()) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  const until = async (probe: () => Promise<boolean> | boolean, what: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exited()) throw new Error(`${name} exited while waiting for ${what}:\n${tail(logFile)}`);
      if (await probe()) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${name}: no ${what} within ${timeoutMs} ms:\n${tail(logFile)}`);
  };
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
    waitForLog: (text, timeoutMs = 60_000) =>
      until(() => fs.readFileSync(logFile, 'utf8').includes(text), `'${text}' in the log`, timeoutMs),
  };
}

/** A Kafka broker of its own (tools/stack in a separate state dir and ports), which a test may stop and restart. */
export class PrivateKafka {
  private constructor(
    readonly brokers: string[],
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async create(): Promise<PrivateKafka> {
    const [port, controller] = [await freePort(), await freePort()];
    const env = {
      ...process.env,
      RS_STACK_DIR: path.join(LOG_DIR, `kafka-${port}`),
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controller),
    };
    return new PrivateKafka([`127.0.0.1:${port}`], env);
  }

  up(): void {
    this.stack('up');
  }

  down(): void {
    this.stack('down');
  }

  private stack(command: 'up' | 'down'): void {
    const result = spawnSync(process.execPath, [path.join(ROOT, 'tools', 'stack', 'stack.mjs'), command, 'kafka'], {
      cwd: ROOT,
      env: this.env,
      encoding: 'utf8',
      timeout: 180_000,
    });
    if (result.status !== 0)
      throw new Error(`tools/stack ${command} kafka failed (${result.status}):\n${result.stderr}`);
  }
}

export const keycloakUrl = stackEndpoints.keycloakUrl;
