// `npm start` (tools/start.mjs) end to end: an app killed by a signal is restarted, and Ctrl-C stops every app and
// the services this run started, while services that were already running stay up. Under `npm test` Kafka, the
// Mongo-wire DB and Keycloak belong to its stack run; this run gets a Redis of its own on another port (and its own
// RS_STACK_DIR), so that it has one service to stop and four to leave alone.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, portAnswers } from '../../tools/built-app.cjs';
import { APP_PORTS, ROOT } from '../support/platform-apps';

const STACK = path.join(ROOT, 'tools', 'stack', 'stack.mjs');
const SHARED_SERVICES = ['kafka', 'postgres', 'mongo', 'keycloak'];

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** The apps `npm start` runs: its children whose command runs a dist/apps bundle. */
function appProcesses(parent: number): Map<string, number> {
  const apps = new Map<string, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== parent) continue;
      const app = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').match(/dist\/apps\/([\w-]+)\/main\.js/)?.[1];
      if (app) apps.set(app, Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return apps;
}

const stackStatus = (names: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, [STACK, 'status', ...names], { cwd: ROOT, env, encoding: 'utf8' });

describe('npm start', () => {
  let stackDir: string;
  let redisPort: number;
  let start: ChildProcess | undefined;
  let output = '';

  async function waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(output)) {
      if (Date.now() > deadline || start?.exitCode !== null || start?.signalCode !== null)
        throw new Error(`npm start did not print ${pattern} (exit ${start?.exitCode}); its output:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  beforeAll(async () => {
    const shared = stackStatus(SHARED_SERVICES);
    if (shared.status !== 0) throw new Error(`the services must be up (\`npm run stack -- up\`):\n${shared.stdout}`);
    for (const [app, port] of Object.entries(APP_PORTS))
      if (await portAnswers(port)) throw new Error(`port ${port} of ${app} is in use: is \`npm start\` running?`);
    stackDir = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-start-'));
    redisPort = await freePort();
  });

  afterAll(() => {
    if (start && start.exitCode === null && start.signalCode === null) process.kill(-(start.pid as number), 'SIGKILL');
    // Without its own stack dir (beforeAll failed first), `down` would stop the shared services: do nothing.
    if (!stackDir) return;
    // A Redis this test's run left behind would hold its port: stop it through the state file of its stack dir.
    spawnSync(process.execPath, [STACK, 'down'], { cwd: ROOT, env: { ...process.env, RS_STACK_DIR: stackDir } });
    fs.rmSync(stackDir, { recursive: true, force: true });
  });

  it('should restart an app killed by a signal, and on Ctrl-C stop every app and only the services it started', async () => {
    start = spawn(process.execPath, [path.join(ROOT, 'tools', 'start.mjs')], {
      cwd: ROOT,
      env: { ...process.env, RS_STACK_DIR: stackDir, REDIS_PORT: String(redisPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, as a terminal's foreground job: Ctrl-C is SIGINT to the whole group.
      detached: true,
    });
    start.stdout?.on('data', (chunk) => (output += chunk));
    start.stderr?.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => start?.once('exit', (code) => resolve(code)));

    await waitForOutput(/platform is running/, 180000);
    const state = JSON.parse(fs.readFileSync(path.join(stackDir, 'state.json'), 'utf8'));
    const redisPid: number = state.services.redis.pid;
    expect(state.services.redis.owned).toBe(true);
    for (const name of SHARED_SERVICES) expect(state.services[name]?.owned).toBe(false);
    const first = appProcesses(start.pid as number);
    expect([...first.keys()].sort()).toEqual(Object.keys(APP_PORTS).sort());

    process.kill(first.get('key-manager') as number, 'SIGKILL');
    await waitForOutput(/key-manager exited \(SIGKILL after [\d.]+ m?s\); restarting in 1 s/, 10000);
    await waitForOutput(/key-manager is up again/, 90000);
    // Ctrl-C while an app is down and waiting for its restart.
    process.kill(first.get('auxip') as number, 'SIGTERM');
    await waitForOutput(/auxip exited \(.*\); restarting in/, 10000);
    const pids = [...first.values(), ...appProcesses(start.pid as number).values()];
    process.kill(-(start.pid as number), 'SIGINT');

    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise((resolve) => (timer = setTimeout(resolve, 60000, 'timeout'))),
    ]);
    clearTimeout(timer);
    expect(code).toBe(0);
    expect(output).toContain('SIGINT: stopping');
    expect(output).toMatch(/redis: stopped pid \d+/);
    for (const name of SHARED_SERVICES)
      expect(output).toMatch(new RegExp(`left running, as they were before: .*${name}`));
    expect(pids.filter(alive)).toEqual([]);
    for (const port of Object.values(APP_PORTS)) expect(await portAnswers(port)).toBe(false);
    expect(alive(redisPid)).toBe(false);
    expect(await portAnswers(redisPort)).toBe(false);
    const after = JSON.parse(fs.readFileSync(path.join(stackDir, 'state.json'), 'utf8'));
    expect(Object.entries(after.services).filter(([, service]) => (service as { owned: boolean }).owned)).toEqual([]);
    expect(stackStatus(SHARED_SERVICES).status).toBe(0);
  }, 300000);
});
