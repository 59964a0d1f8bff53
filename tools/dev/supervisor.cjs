// Keeps the apps of `npm start` running (one child process per app, restarted with a growing delay when it
// dies, left down after repeated fast crashes) and ends `npm start` cleanly: apps stopped, then the services it
// started. CommonJS so that the jest suites of test/ can load it (see test/start/); tools/start.mjs imports it too.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/**
 * Follows one child process. `exited` settles exactly once, from 'exit' or from a failed spawn, and `exit` keeps
 * the outcome, so a process that died of a signal (exitCode null) is never waited for again.
 */
function track(child, { group = false } = {}) {
  let settle;
  const record = {
    child,
    pid: child.pid,
    group,
    startedAt: Date.now(),
    exit: null,
    exited: new Promise((resolve) => (settle = resolve)),
  };
  const done = (exit) => {
    if (record.exit) return;
    record.exit = exit;
    settle(exit);
  };
  child.once('exit', (code, signal) => done({ code, signal }));
  // 'error' also reports a failed kill or message; only a process that never started ends here.
  child.on('error', (error) => {
    if (child.pid === undefined) done({ code: null, signal: null, error: error.message });
  });
  return record;
}

/** Sends `signal` to the process (its whole process group when it leads one); false when nothing was there. */
function signalProcess(record, signal) {
  if (!record.pid) return false;
  try {
    process.kill(record.group ? -record.pid : record.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Resolves with the promise's value, or with `fallback` after `ms` (the timer keeps Node alive meanwhile). */
function within(promise, ms, fallback = null) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/**
 * SIGTERM, up to `graceMs` to exit, then SIGKILL. Always settles: with the exit, or with `{ lost: true }` when even
 * SIGKILL did not end it within 5 s. A group leader's group is then swept with SIGKILL (helpers it left).
 */
async function stopProcess(record, graceMs = 10000) {
  if (record.exit) return record.exit;
  signalProcess(record, 'SIGTERM');
  if (!(await within(record.exited, graceMs))) {
    signalProcess(record, 'SIGKILL');
    await within(record.exited, 5000);
  }
  if (record.group) signalProcess(record, 'SIGKILL');
  return record.exit ?? { code: null, signal: null, lost: true };
}

/** "SIGTERM", "exit code 1", or why it never started. */
function describeExit(exit) {
  if (exit.error) return `could not start: ${exit.error}`;
  return exit.signal ?? `exit code ${exit.code}`;
}

/** A path as a user reads it: relative to the working directory when inside it, else absolute. */
function shownPath(file) {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') ? path.resolve(file) : relative;
}

/** Size of a file, 0 when there is none. */
function sizeOf(file) {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** The last `lines` non-empty lines of a log file written after byte `from`, indented (or a note: none). */
function tailOf(file, lines = 12, from = 0) {
  let text = '';
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const length = Math.max(0, Math.min(size - from, 64 * 1024));
      const buffer = Buffer.alloc(length);
      fs.readSync(fd, buffer, 0, length, size - length);
      text = buffer.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // no log yet
  }
  const last = text
    // Nest colours its log lines even into a file.
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .filter((line) => line.trim())
    .slice(-lines);
  return last.length
    ? last.map((line) => `    | ${line.length > 300 ? `${line.slice(0, 300)}…` : line}`).join('\n')
    : '    (log is empty)';
}

const duration = (ms) => (ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(1))} s`);

/**
 * Runs named apps as child processes. `spawnApp(name)` starts one (detached: it leads its own process group, so a
 * terminal's Ctrl-C reaches only `npm start`, which decides). An app that exits on its own is a crash: it is
 * restarted after `backoffMs`, doubled for each earlier crash within `crashWindowMs` (at most `maxBackoffMs`), and
 * left down once it has crashed `crashLimit` times within that window.
 */
class Supervisor {
  constructor({
    spawnApp,
    logFile,
    say,
    backoffMs = 1000,
    maxBackoffMs = 30000,
    crashLimit = 5,
    crashWindowMs = 120000,
    graceMs = 10000,
    gaveUpHint = '',
    onStart = () => {},
  }) {
    Object.assign(this, { spawnApp, logFile, say, backoffMs, maxBackoffMs, crashLimit, crashWindowMs, graceMs });
    Object.assign(this, { gaveUpHint, onStart });
    this.apps = new Map();
    this.stopping = false;
  }

  /** Starts an app (or starts it again when it was left down). */
  start(name) {
    const app = this.#app(name);
    if (this.stopping) return;
    clearTimeout(app.timer);
    // Where this run's output starts in the app's log: a crash shows its own last lines, not an earlier run's.
    const logFrom = sizeOf(this.logFile(name));
    const record = Object.assign(track(this.spawnApp(name), { group: true }), { logFrom });
    Object.assign(app, { record, status: 'running' });
    record.exited.then((exit) => this.#exited(app, record, exit));
    this.onStart(name, record, app.starts++);
  }

  /**
   * Replaces the app's process with a new one (new code), waiting for the old one to end first. Earlier crashes
   * are forgotten: new code gets a fresh chance, and an app left down comes back.
   */
  restart(name) {
    const app = this.#app(name);
    app.queue = app.queue.then(async () => {
      if (this.stopping) return;
      clearTimeout(app.timer);
      app.crashes = [];
      app.status = 'restarting';
      if (app.record) await stopProcess(app.record, this.graceMs);
      this.start(name);
    });
    return app.queue;
  }

  /** `{ status, pid, exit, crashes }`; status is running, restarting, backoff, failed or stopped. */
  state(name) {
    const app = this.apps.get(name);
    if (!app) return undefined;
    return { status: app.status, pid: app.record?.pid, exit: app.record?.exit, crashes: app.crashes.length };
  }

  /** Stops every app: no more restarts, SIGTERM, `graceMs` to exit, then SIGKILL. Always settles. */
  async stop(graceMs = this.graceMs) {
    this.stopping = true;
    await Promise.all(
      [...this.apps.values()].map(async (app) => {
        clearTimeout(app.timer);
        if (!app.record) return;
        const live = !app.record.exit;
        const exit = await stopProcess(app.record, graceMs);
        app.status = 'stopped';
        if (live) this.say(`${app.name}: ${exit.lost ? `still running as pid ${app.record.pid}` : 'stopped'}`);
      }),
    );
  }

  /** A second Ctrl-C: SIGKILL every app now. */
  kill() {
    this.stopping = true;
    for (const app of this.apps.values()) {
      clearTimeout(app.timer);
      if (app.record && !app.record.exit) signalProcess(app.record, 'SIGKILL');
    }
  }

  #app(name) {
    if (!this.apps.has(name))
      this.apps.set(name, {
        name,
        status: 'new',
        record: null,
        crashes: [],
        timer: null,
        lastTail: null,
        starts: 0,
        queue: Promise.resolve(),
      });
    return this.apps.get(name);
  }

  /** The end of the app's log, or (unless `always`) a pointer to the same end shown at its previous crash. */
  #logTail(app, always = false) {
    const log = shownPath(this.logFile(app.name));
    const tail = tailOf(log, 12, app.record.logFrom);
    // Pids, times and counters aside.
    const shape = tail.replace(/\d+/g, '0');
    if (shape === app.lastTail && !always) return `Its log ends as at its previous crash (${log}).`;
    app.lastTail = shape;
    return `Last lines of ${log}:\n${tail}`;
  }

  #exited(app, record, exit) {
    // Expected exits: a stop, a restart, or a process an earlier restart already replaced.
    if (this.stopping || app.record !== record || app.status !== 'running') return;
    const now = Date.now();
    app.crashes = [...app.crashes.filter((at) => now - at < this.crashWindowMs), now];
    const ran = `${describeExit(exit)} after ${duration(now - record.startedAt)}`;
    if (app.crashes.length >= this.crashLimit) {
      app.status = 'failed';
      this.say(
        `${app.name} exited (${ran}), ${app.crashes.length} crashes within ${duration(this.crashWindowMs)}: ` +
          `left down.${this.gaveUpHint ? ` ${this.gaveUpHint}` : ''} ${this.#logTail(app, true)}`,
      );
      return;
    }
    const delay = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (app.crashes.length - 1));
    app.status = 'backoff';
    app.timer = setTimeout(() => this.start(app.name), delay);
    this.say(
      `${app.name} exited (${ran}); restarting in ${duration(delay)} ` +
        `(crash ${app.crashes.length} of ${this.crashLimit} within ${duration(this.crashWindowMs)}). ` +
        this.#logTail(app),
    );
  }
}

/**
 * How `npm start` ends, whatever state it is in: stop what runs (a build, the apps, the watcher), then always stop the
 * services this run started, and only those. The first request stops gracefully; a second one (Ctrl-C again) kills
 * what is left at once. Until `run()` has finished, Node is kept alive: signal handlers alone do not keep it from
 * exiting once the last child is gone, and exiting there would skip the services' `down`.
 */
class Shutdown {
  #resolve;

  constructor({ down, say, graceMs = 10000, partTimeoutMs = graceMs + 10000, repeatWindowMs = 500 }) {
    Object.assign(this, { down, say, graceMs, partTimeoutMs, repeatWindowMs });
    this.parts = new Set();
    this.services = [];
    this.alreadyRunning = [];
    this.reason = null;
    this.forced = false;
    this.stoppingServices = false;
    this.requested = new Promise((resolve) => (this.#resolve = resolve));
    this.controller = new AbortController();
    this.keepAlive = setInterval(() => {}, 1 << 30);
  }

  /** Aborted on the first request: pass it to work that can be cut short (the services' `up`). */
  get signal() {
    return this.controller.signal;
  }

  /** The services this run started (`up().started`), which `run()` stops, and those it found running. */
  servicesStarted(names, alreadyRunning = []) {
    this.services = [...names];
    this.alreadyRunning = [...alreadyRunning];
  }

  /** Something to stop on shutdown: `{ name, stop(graceMs): Promise, kill() }`. Returns a function removing it. */
  add(part) {
    this.parts.add(part);
    if (this.forced) part.kill();
    return () => this.parts.delete(part);
  }

  request(reason) {
    if (this.reason === null) {
      this.reason = reason;
      this.requestedAt = Date.now();
      this.say(`${reason}: stopping (${reason === 'SIGINT' ? 'Ctrl-C again' : 'a second signal'} stops at once)`);
      this.controller.abort();
      this.#resolve(reason);
      return;
    }
    // One Ctrl-C can arrive twice: from the terminal and forwarded by npm (`npm start`), which got it as well.
    if (this.forced || Date.now() - this.requestedAt < this.repeatWindowMs) return;
    this.forced = true;
    this.say('stopping at once');
    for (const part of this.parts) part.kill();
    if (this.stoppingServices) void this.#downServices({ graceMs: 0 });
  }

  /** Stops everything; resolves once the services this run started are stopped. Safe to call more than once. */
  run() {
    this.running ??= this.#run();
    return this.running;
  }

  async #run() {
    if (this.reason === null) this.say('stopping');
    try {
      // A part that never settles must not keep the services up: each gets its grace time and a margin.
      await Promise.all(
        [...this.parts].map((part) =>
          within(
            Promise.resolve()
              .then(() => part.stop(this.graceMs))
              .catch((error) => this.say(`${part.name}: ${error.message}`)),
            this.partTimeoutMs,
          ),
        ),
      );
    } finally {
      this.stoppingServices = true;
      await this.#downServices(this.forced ? { graceMs: 0 } : {});
      if (this.alreadyRunning.length) this.say(`left running, as they were before: ${this.alreadyRunning.join(', ')}`);
      clearInterval(this.keepAlive);
    }
  }

  async #downServices(options) {
    if (!this.services.length) return;
    try {
      await this.down(this.services, options);
    } catch (error) {
      this.say(`stopping the services failed: ${error.message}; \`npm run stack -- down\` stops them`);
    }
  }
}

module.exports = {
  Shutdown,
  Supervisor,
  describeExit,
  shownPath,
  signalProcess,
  stopProcess,
  tailOf,
  track,
  within,
};
