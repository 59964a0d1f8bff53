// What the benchmarks share: their options, built apps started on free ports (tools/built-app.cjs), percentiles.
import path from 'node:path';
import builtApp from '../built-app.cjs';
import kafkaPrincipals from '../stack/lib/kafka-principals.cjs';

export const { ROOT, freePort, uniqueDatabase } = builtApp;

/** The stack broker's super user: the benches' own clients, and a worker reading a topic made for one run. */
export const SUPER_USER_KAFKA_ENV = kafkaPrincipals.kafkaClientEnv(kafkaPrincipals.KAFKA_SUPER_USER);
export const superUserSasl = () => kafkaPrincipals.kafkaSasl(kafkaPrincipals.KAFKA_SUPER_USER);

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

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Development secrets of the local stack (the realm's dev client secret), unless the environment sets them. */
const BENCH_SECRETS = {
  API_KEY_HASH_SECRET: process.env.API_KEY_HASH_SECRET ?? 'bench-only-hash-secret-0123456789abcdef',
  KEYCLOAK_SYNC_CLIENT_SECRET: process.env.KEYCLOAK_SYNC_CLIENT_SECRET ?? 'rs-key-manager-dev-secret',
};

/** Spawns the app, resolves { url, logFile, waitForLog, stop, kill, exited } once /health answers. */
export function startBuiltApp(name, env = {}) {
  return builtApp.startBuiltApp(name, { env: { ...BENCH_SECRETS, ...env }, logDir: LOG_DIR });
}

/** Percentiles (nearest rank) of a list of numbers. */
export function percentiles(values, ranks = [50, 90, 99]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return { n: sorted.length, ...Object.fromEntries(ranks.map((p) => [`p${p}`, at(p)])), max: sorted.at(-1) };
}
