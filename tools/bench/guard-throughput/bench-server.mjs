// Starts the bench processes (server.ts, stand-in-key-manager.mjs) and reads their CPU time.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import kafkaPrincipals from '../../stack/lib/kafka-principals.cjs';
import { ROOT } from '../built-apps.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);

/** Spawns a process that prints one ready line on stdout and serves until its stdin closes. */
async function startProcess(args, env, isReady) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const ready = await new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).on('line', (line) => isReady(line) && resolve(line));
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code})`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  /** Asks the process to stop; resolves once it has exited (its shutdown hooks done). */
  const stop = () => {
    child.stdin.end();
    return exited;
  };
  return { child, pid: child.pid, ready, stop };
}

/** The stand-in key manager; `BENCH_KEY_ID` in `env` names the key id it answers with. */
export async function startStandInKeyManager(env = {}) {
  const started = await startProcess([path.join(HERE, 'stand-in-key-manager.mjs')], env, (line) =>
    line.startsWith('http'),
  );
  return { ...started, url: started.ready };
}

/**
 * Starts server.ts guarded or unguarded (`nodeFlags`: extra node options, e.g. --cpu-prof; `env`: e.g. REDIS_URL
 * for per-key limits); resolves once it serves, the guarded app's key cache filled by one request on a connection
 * of its own, as in a service that checked the key long ago.
 */
export async function startBenchServer(mode, keyManagerUrl, { nodeFlags = [], env = {} } = {}) {
  const started = await startProcess(
    [...nodeFlags, '-r', '@swc-node/register', path.join(HERE, 'server.ts'), mode],
    {
      SWC_NODE_PROJECT: path.join(HERE, 'tsconfig.json'),
      BENCH_KEY_MANAGER_URL: keyManagerUrl,
      // Cadip's own principal: the stack's broker requires SASL and applies its ACLs.
      ...kafkaPrincipals.kafkaAppEnv('cadip'),
      ...env,
    },
    (line) => line.startsWith('{"url"'),
  );
  const { url, managementUrl, apiKey } = JSON.parse(started.ready);
  if (mode === 'guarded') {
    const response = await fetch(`${url}/cadip/INS/session?platform=S1A&limit=1`, {
      headers: { 'x-api-key': apiKey, connection: 'close' },
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`priming the key cache: HTTP ${response.status}`);
  }
  return { ...started, mode, url, managementUrl, apiKey };
}

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The stand-in key managers of a run: one answering for a key without limits and, with `limited`, one for a key
 * (`limitedKeyId`) with both per-key limits.
 */
export async function startStandIns({ limited }) {
  const plain = await startStandInKeyManager();
  const limitedKeyId = `bench-limited-${Date.now()}`;
  const withLimits = limited
    ? await startStandInKeyManager({ BENCH_KEY_ID: limitedKeyId, BENCH_KEY_LIMITS: '1' })
    : undefined;
  return {
    url: plain.url,
    limitedUrl: withLimits?.url,
    limitedKeyId,
    stop: () => Promise.all([plain.stop(), withLimits?.stop()]),
  };
}

/**
 * Starts one side of the comparison: `unguarded` (or `unguarded-again`, a second process of it), `guarded` (a key
 * without limits), `limited` (a guarded server whose key has limits, with Redis to count them in) or `usage-off` (a
 * guarded server without Kafka: it records no usage).
 */
export async function startSide(side, standIns, nodeFlags = []) {
  const [mode, keyManagerUrl, env] = {
    limited: ['guarded', standIns.limitedUrl, { REDIS_URL }],
    'usage-off': ['guarded', standIns.url, { KAFKA_ENABLED: 'false' }],
    'unguarded-again': ['unguarded', standIns.url, {}],
  }[side] ?? [side, standIns.url, {}];
  return { ...(await startBenchServer(mode, keyManagerUrl, { nodeFlags, env })), side };
}

/** CPU time (ms, user + system, every thread) a process has used so far, from /proc. */
export function cpuMs(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** The benches' median: the upper one of an even count. */
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
