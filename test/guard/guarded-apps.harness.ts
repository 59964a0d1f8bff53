// Starts the built apps (dist/apps/<app>/main.js) as child processes on free ports, for the cross-app guard
// tests: the real key manager and the three guarded services, over real HTTP, Kafka and Keycloak.
import { freePort, stackEndpoints } from '@rs/testing';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { type BuiltApp, ROOT, startBuiltApp as startApp } from '../../tools/built-app.cjs';

export { uniqueDatabase } from '../../tools/built-app.cjs';
export const LOG_DIR = path.join(ROOT, 'test-output', 'guard');

export type GuardedAppName = 'key-manager' | 'auxip' | 'cadip' | 'catalog' | 'key-worker';

export type RunningApp = BuiltApp & { name: GuardedAppName };

/**
 * The key manager counts failed key checks per client IP in Redis, and every test client is 127.0.0.1: a
 * Redis database of its own keeps these tests from being throttled by other key managers on the machine.
 */
function isolatedRedis(name: GuardedAppName): Record<string, string> {
  return name === 'key-manager' ? { REDIS_URL: `${stackEndpoints.redisUrl.replace(/\/\d*$/, '')}/9` } : {};
}

/** Starts one built app with `env` on top of this process's environment; resolves once /health answers. */
export async function startBuiltApp(name: GuardedAppName, env: Record<string, string> = {}): Promise<RunningApp> {
  const app = await startApp(name, {
    env: { ...isolatedRedis(name), ...env },
    logDir: LOG_DIR,
    nodeArgs: ['--enable-source-maps'],
  });
  return { ...app, name };
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
