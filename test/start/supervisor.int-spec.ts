// tools/dev/supervisor.cjs, the restarts and the shutdown of `npm start`, with real child processes (tiny node
// scripts standing in for the apps) and fake services.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What these tests use of tools/dev/supervisor.cjs (plain JavaScript, typed here). */
interface SupervisorOptions {
  spawnApp(name: string): ChildProcess;
  logFile(name: string): string;
  say(message: string): void;
  backoffMs?: number;
  crashLimit?: number;
  crashWindowMs?: number;
  graceMs?: number;
  gaveUpHint?: string;
}
interface AppState {
  status: string;
  pid?: number;
  exit?: { code: number | null; signal: string | null } | null;
  crashes: number;
}
interface Supervisor {
  start(name: string): void;
  restart(name: string): Promise<void>;
  state(name: string): AppState | undefined;
  stop(graceMs?: number): Promise<void>;
  kill(): void;
}
interface ShutdownPart {
  name: string;
  stop(graceMs: number): Promise<unknown>;
  kill(): void;
}
interface Shutdown {
  readonly signal: AbortSignal;
  readonly requested: Promise<string>;
  readonly forced: boolean;
  servicesStarted(names: string[], alreadyRunning?: string[]): void;
  add(part: ShutdownPart): () => void;
  request(reason: string): void;
  run(): Promise<void>;
}
type ShutdownDown = (names: string[], options?: { graceMs?: number }) => Promise<unknown>;

const SUPERVISOR = path.resolve(__dirname, '..', '..', 'tools', 'dev', 'supervisor.cjs');
// Node's own require, as tools/start.mjs loads it: jest's would hand this JavaScript file to ts-jest.
const nodeRequire = process.getBuiltinModule('node:module').createRequire(__filename);
const { Shutdown, Supervisor } = nodeRequire(SUPERVISOR) as {
  Supervisor: new (options: SupervisorOptions) => Supervisor;
  Shutdown: new (options: {
    down: ShutdownDown;
    say(message: string): void;
    graceMs?: number;
    partTimeoutMs?: number;
    repeatWindowMs?: number;
  }) => Shutdown;
};

/** What the fake app does: a node script body. */
const SCRIPTS = {
  serve: 'console.log("serving as", process.pid); setInterval(() => {}, 1000);',
  crash: 'console.error("Error: cannot connect to the database"); process.exit(1);',
  ignoreSigterm: 'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000);',
};

const alive = (pid: number | undefined): boolean => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(condition: () => boolean, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe(Supervisor.name, () => {
  let logDir: string;
  let said: string[];
  let script: string;
  let sut: Supervisor;
  const spawned: ChildProcess[] = [];

  const supervisor = (options: Partial<SupervisorOptions> = {}): Supervisor =>
    new Supervisor({
      spawnApp: (name) => {
        const log = fs.openSync(path.join(logDir, `${name}.log`), 'a');
        const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', log, log], detached: true });
        fs.closeSync(log);
        spawned.push(child);
        return child;
      },
      logFile: (name) => path.join(logDir, `${name}.log`),
      say: (message) => void said.push(message),
      backoffMs: 50,
      crashLimit: 4,
      crashWindowMs: 60000,
      graceMs: 2000,
      ...options,
    });

  beforeEach(() => {
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'supervisor-'));
    said = [];
    script = SCRIPTS.serve;
  });

  afterEach(async () => {
    await sut?.stop(500);
    for (const child of spawned.splice(0))
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    fs.rmSync(logDir, { recursive: true, force: true });
  });

  describe('start', () => {
    it('should restart an app that died of a signal, saying so with the last lines of its log', async () => {
      sut = supervisor();
      sut.start('key-manager');
      const first = sut.state('key-manager')?.pid;
      await until(() => fs.readFileSync(path.join(logDir, 'key-manager.log'), 'utf8').includes('serving'));

      process.kill(first as number, 'SIGKILL');
      await until(() => sut.state('key-manager')?.status === 'running' && sut.state('key-manager')?.pid !== first);

      expect(alive(sut.state('key-manager')?.pid)).toBe(true);
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(
        /^key-manager exited \(SIGKILL after \d+ ms\); restarting in 50 ms \(crash 1 of 4 within 60 s\)\. Last lines/,
      );
      expect(said[0]).toContain(`| serving as ${first}`);
    });

    it('should double the delay after each crash and leave the app down after crashLimit crashes', async () => {
      script = SCRIPTS.crash;
      sut = supervisor({ gaveUpHint: 'It starts again when its code changes.' });
      sut.start('auxip');
      await until(() => sut.state('auxip')?.status === 'failed');

      expect(said.map((message) => message.match(/restarting in (\d+ ms)/)?.[1])).toEqual([
        '50 ms',
        '100 ms',
        '200 ms',
        undefined,
      ]);
      expect(said[1]).toMatch(
        /\(crash 2 of 4 within 60 s\)\. Its log ends as at its previous crash \(.*auxip\.log\)\.$/,
      );
      expect(said[3]).toMatch(
        /^auxip exited \(exit code 1 after \d+ ms\), 4 crashes within 60 s: left down\. It starts again when its code changes\. Last lines of .*auxip\.log:\n {4}\| Error: cannot connect to the database$/m,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(sut.state('auxip')).toMatchObject({ status: 'failed', crashes: 4 });
      expect(spawned).toHaveLength(4);
    });

    it('should not count crashes older than the crash window', async () => {
      script = 'setTimeout(() => process.exit(3), 150);';
      sut = supervisor({ crashLimit: 2, crashWindowMs: 100, backoffMs: 10 });
      sut.start('cadip');
      await until(() => spawned.length === 4);

      expect(sut.state('cadip')?.status).not.toBe('failed');
      expect(said.every((message) => message.includes('(crash 1 of 2'))).toBe(true);
    });
  });

  describe('restart', () => {
    it('should replace the process without counting a crash', async () => {
      sut = supervisor();
      sut.start('catalog');
      const first = sut.state('catalog')?.pid;

      await sut.restart('catalog');

      expect(alive(first)).toBe(false);
      expect(sut.state('catalog')).toMatchObject({ status: 'running', crashes: 0 });
      expect(alive(sut.state('catalog')?.pid)).toBe(true);
      expect(said).toEqual([]);
    });

    it('should bring back an app left down', async () => {
      script = SCRIPTS.crash;
      sut = supervisor({ crashLimit: 1 });
      sut.start('catalog');
      await until(() => sut.state('catalog')?.status === 'failed');
      script = SCRIPTS.serve;

      await sut.restart('catalog');

      expect(sut.state('catalog')).toMatchObject({ status: 'running', crashes: 0 });
      expect(alive(sut.state('catalog')?.pid)).toBe(true);
    });
  });

  describe('stop', () => {
    it('should settle when an app has already died of a signal', async () => {
      sut = supervisor({ backoffMs: 60000 });
      sut.start('key-manager');
      sut.start('auxip');
      const victim = sut.state('key-manager')?.pid as number;
      process.kill(victim, 'SIGTERM');
      await until(() => sut.state('key-manager')?.status === 'backoff');
      const other = sut.state('auxip')?.pid;

      const started = Date.now();
      await sut.stop();

      expect(Date.now() - started).toBeLessThan(1500);
      expect(sut.state('key-manager')).toMatchObject({ status: 'stopped', exit: { code: null, signal: 'SIGTERM' } });
      expect(alive(other)).toBe(false);
      expect(said).toContain('auxip: stopped');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(spawned).toHaveLength(2);
    });

    it('should SIGKILL an app that ignores SIGTERM once the grace time is over', async () => {
      script = SCRIPTS.ignoreSigterm;
      sut = supervisor();
      sut.start('key-worker');
      const pid = sut.state('key-worker')?.pid;
      await until(() => fs.readFileSync(path.join(logDir, 'key-worker.log'), 'utf8').includes('ready'));

      await sut.stop(300);

      expect(alive(pid)).toBe(false);
      expect(sut.state('key-worker')?.exit).toEqual({ code: null, signal: 'SIGKILL' });
    });
  });

  describe('kill', () => {
    it('should SIGKILL every app at once', async () => {
      script = SCRIPTS.ignoreSigterm;
      sut = supervisor();
      sut.start('key-manager');
      sut.start('auxip');
      const pids = [sut.state('key-manager')?.pid, sut.state('auxip')?.pid];

      sut.kill();

      await until(() => pids.every((pid) => !alive(pid)), 2000);
    });
  });
});

describe(Shutdown.name, () => {
  let calls: string[];
  let said: string[];
  let sut: Shutdown;

  const down = async (names: string[], options: { graceMs?: number } = {}): Promise<void> => {
    calls.push(`down ${names.join(',')}${options.graceMs === undefined ? '' : ` grace ${options.graceMs}`}`);
  };
  const part = (name: string, stop: ShutdownPart['stop']): ShutdownPart => ({
    name,
    stop,
    kill: () => void calls.push(`kill ${name}`),
  });

  beforeEach(() => {
    calls = [];
    said = [];
    sut = new Shutdown({
      down,
      say: (message) => void said.push(message),
      graceMs: 100,
      partTimeoutMs: 300,
      repeatWindowMs: 50,
    });
  });

  afterEach(() => sut.run());

  describe('run', () => {
    it('should stop the services it started after the apps, even when stopping an app fails', async () => {
      sut.servicesStarted(['kafka', 'redis']);
      sut.add(part('apps', async () => void calls.push('stop apps')));
      sut.add(
        part('watcher', async () => {
          throw new Error('cannot signal the watcher');
        }),
      );

      await sut.run();

      expect(calls).toEqual(['stop apps', 'down kafka,redis']);
      expect(said).toContain('watcher: cannot signal the watcher');
    });

    it('should stop the services when a part never settles', async () => {
      sut.servicesStarted(['keycloak']);
      sut.add(part('apps', () => new Promise(() => undefined)));

      await sut.run();

      expect(calls).toEqual(['down keycloak']);
    });

    it('should leave the services alone when it started none (they were already running)', async () => {
      sut.servicesStarted([], ['kafka', 'redis']);
      sut.add(part('apps', async () => void calls.push('stop apps')));

      await sut.run();

      expect(calls).toEqual(['stop apps']);
      expect(said).toContain('left running, as they were before: kafka, redis');
    });
  });

  describe('request', () => {
    it('should resolve requested and abort the signal on the first request', async () => {
      sut.request('SIGINT');

      await expect(sut.requested).resolves.toBe('SIGINT');
      expect(sut.signal.aborted).toBe(true);
      expect(said).toEqual(['SIGINT: stopping (Ctrl-C again stops at once)']);
    });

    it('should kill every part and stop the services at once on a second request', async () => {
      sut.servicesStarted(['redis']);
      sut.add(part('apps', () => new Promise(() => undefined)));
      sut.request('SIGINT');
      const running = sut.run();
      await new Promise((resolve) => setTimeout(resolve, 60));

      sut.request('SIGINT');
      await running;

      expect(calls).toEqual(['kill apps', 'down redis grace 0']);
    });

    it('should take a repeat within the repeat window for the same request (npm forwards the Ctrl-C it got too)', async () => {
      sut.servicesStarted(['redis']);
      sut.add(part('apps', async () => void calls.push('stop apps')));
      sut.request('SIGINT');

      sut.request('SIGINT');
      await sut.run();

      expect(calls).toEqual(['stop apps', 'down redis']);
      expect(sut.forced).toBe(false);
    });
  });

  it('should keep Node alive until the services are stopped, even when nothing else runs', async () => {
    // The bug this guards against: every app gone, Node found no more work and exited before the services' down.
    const script = `
      const { Shutdown } = require(${JSON.stringify(SUPERVISOR)});
      const shutdown = new Shutdown({ down: async (names) => console.log('down ' + names.join(',')), say: () => {} });
      shutdown.servicesStarted(['redis']);
      process.on('SIGINT', () => shutdown.request('SIGINT'));
      console.log('ready');
      shutdown.requested.then(() => shutdown.run()).then(() => console.log('stopped'));
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    await until(() => output.includes('ready'));
    await new Promise((resolve) => setTimeout(resolve, 300));

    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.once('exit', resolve));

    expect(code).toBe(0);
    expect(output).toBe('ready\ndown redis\nstopped\n');
  });
});
