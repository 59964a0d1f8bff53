// Shared helpers for tools/stack: paths, env, logging, child processes, waits, state file.
// Node builtins only: stack.mjs loads it before it has checked that node_modules exists.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const STACK_SRC = path.dirname(path.dirname(new URL(import.meta.url).pathname));

/** Resolved configuration (paths and ports) from the environment. */
export function config(env = process.env, cwd = process.cwd()) {
  const cacheHome = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const cache = path.resolve(env.RS_STACK_CACHE || path.join(cacheHome, 'rs-stack'));
  const dir = path.resolve(cwd, env.RS_STACK_DIR || '.stack');
  return {
    cwd,
    cache,
    dir,
    logs: path.join(dir, 'logs'),
    data: path.join(dir, 'data'),
    stateFile: path.join(dir, 'state.json'),
    env,
  };
}

export function intEnv(env, name, def) {
  const v = env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new Error(`${name}=${v} is not a valid port`);
  return n;
}

// ---------------------------------------------------------------- output
const t0 = Date.now();
export function log(msg) {
  process.stderr.write(`[stack ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);
}
export function fmtMs(ms) {
  return ms < 1000
    ? `${ms} ms`
    : ms < 120000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
}

/** Prints "<what>: <status> (<elapsed>)" every `everyMs` until stopped. */
export function ticker(what, statusFn, everyMs = 10000) {
  const start = Date.now();
  const timer = setInterval(() => log(`  ${what}: ${statusFn()} (${fmtMs(Date.now() - start)} so far)`), everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer), elapsed: () => Date.now() - start };
}

export class StackError extends Error {
  constructor(service, reason, logFile, tail) {
    super(
      `${service}: ${reason}${logFile ? `\n  log: ${logFile}` : ''}${tail ? `\n  last lines of the log:\n${tail}` : ''}`,
    );
    this.service = service;
    this.reason = reason;
    this.logFile = logFile;
  }
}

// ---------------------------------------------------------------- files
export function mkdirp(p) {
  fs.mkdirSync(p, { recursive: true });
  return p;
}
export function exists(p) {
  try {
    fs.accessSync(p);
    return true;
  } catch {
    return false;
  }
}
export function sha256(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}
export function readText(p, def = null) {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return def;
  }
}
export function tailFile(file, lines = 30) {
  const txt = readText(file, '');
  if (!txt) return '    (log is empty or missing)';
  return txt
    .split('\n')
    .slice(-lines - 1)
    .map((l) => `    | ${l.length > 400 ? l.slice(0, 400) + '…' : l}`)
    .join('\n');
}
/** Creates a temp dir next to `finalDir` (same file system) for atomic rename. */
export function tmpSibling(finalDir) {
  mkdirp(path.dirname(finalDir));
  return fs.mkdtempSync(`${finalDir}.tmp-`);
}
export function rmrf(p) {
  fs.rmSync(p, { recursive: true, force: true });
}
/** Move a finished temp dir into place; if someone else won the race, keep theirs. */
export function publishDir(tmp, finalDir) {
  try {
    fs.renameSync(tmp, finalDir);
  } catch (e) {
    if (exists(finalDir)) rmrf(tmp);
    else throw e;
  }
}

/** Exclusive lock via a lock dir, so two clones provisioning the same cache do not collide. */
export async function withLock(lockDir, what, fn, staleMs = 30 * 60 * 1000) {
  mkdirp(path.dirname(lockDir));
  let waited = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const pid = Number(readText(path.join(lockDir, 'pid'), '0'));
      let age = 0;
      try {
        age = Date.now() - fs.statSync(lockDir).mtimeMs;
      } catch {}
      if ((pid && !pidAlive(pid)) || age > staleMs) {
        rmrf(lockDir);
        continue;
      }
      if (!waited) log(`  ${what}: waiting for another process (pid ${pid}) holding ${lockDir}`);
      waited = true;
      await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    rmrf(lockDir);
  }
}

// ---------------------------------------------------------------- processes
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function pidAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return e.code === 'EPERM';
  }
  // a zombie is not alive for our purposes
  const stat = readText(`/proc/${pid}/stat`);
  if (stat && /\) Z /.test(stat)) return false;
  return true;
}
export function cmdlineOf(pid) {
  const raw = readText(`/proc/${pid}/cmdline`);
  return raw ? raw.split('\0').join(' ') : null;
}
/** Is `pid` alive and still the process we started (its command line contains `match`)? */
export function ownedAlive(entry) {
  if (!entry?.pid || !pidAlive(entry.pid)) return false;
  const cl = cmdlineOf(entry.pid);
  if (cl === null) return true; // no /proc: trust the pid
  return !entry.match || cl.includes(entry.match);
}
function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** SIGTERM the process group, then SIGKILL after `graceMs`. */
export async function stopGroup(entry, graceMs = 20000) {
  const pgid = entry.pgid || entry.pid;
  const send = (sig) => {
    try {
      process.kill(-pgid, sig);
    } catch {
      try {
        process.kill(entry.pid, sig);
      } catch {}
    }
  };
  send('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!pidAlive(entry.pid) && !groupAlive(pgid)) return 'terminated';
    await sleep(200);
  }
  send('SIGKILL');
  for (let i = 0; i < 25 && (pidAlive(entry.pid) || groupAlive(pgid)); i++) await sleep(200);
  return 'killed';
}

/**
 * Runs a command to completion (provisioning steps). Output goes to `logFile`; `onLine` sees each line.
 * Rejects with the log tail on a non-zero exit.
 */
export function runLogged(what, cmd, args, { cwd, env, logFile, onLine, user } = {}) {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(logFile, 'a');
    fs.writeSync(out, `\n=== ${new Date().toISOString()} ${cmd} ${args.join(' ')}\n`);
    const child = spawn(cmd, args, { cwd, env: env || process.env, stdio: ['ignore', 'pipe', 'pipe'], ...user });
    let buf = '';
    const feed = (chunk) => {
      fs.writeSync(out, chunk);
      if (!onLine) return;
      buf += chunk.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    };
    child.stdout.on('data', feed);
    child.stderr.on('data', feed);
    child.on('error', (e) => {
      fs.closeSync(out);
      reject(new Error(`${what}: cannot run ${cmd}: ${e.message}`));
    });
    child.on('close', (code, sig) => {
      fs.closeSync(out);
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `${what}: '${cmd} ${args.join(' ')}' failed (${sig || 'exit ' + code})\n  log: ${logFile}\n${tailFile(logFile)}`,
          ),
        );
    });
  });
}

/** Starts a long-running service detached in its own process group, output appended to `logFile`. */
export function startDetached(cmd, args, { cwd, env, logFile, user }) {
  const out = fs.openSync(logFile, 'w');
  fs.writeSync(out, `=== rs-stack ${new Date().toISOString()} ${cmd} ${args.join(' ')}\n`);
  const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', out, out], ...user });
  fs.closeSync(out);
  let exit = null;
  child.on('exit', (code, signal) => {
    exit = { code, signal };
  });
  child.on('error', (e) => {
    exit = { code: -1, signal: null, error: e.message };
  });
  child.unref();
  return { child, pid: child.pid, exited: () => exit };
}

export function which(bin, env = process.env) {
  for (const d of (env.PATH || '').split(':')) {
    if (!d) continue;
    const p = path.join(d, bin);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {}
  }
  return null;
}

/**
 * Installs Debian packages with apt-get (as root, or through sudo), saying so. For services whose programs
 * come from the distribution (Redis, PostgreSQL); `found()` tells whether the install did its job.
 */
export async function aptInstall(what, packages, { env, logFile, found }) {
  const apt = which('apt-get', env);
  const hint = `apt-get update && apt-get install -y ${packages.join(' ')}`;
  if (!apt)
    throw new Error(
      `${what}: ${packages.join(' ')} not installed and apt-get is not available; install it yourself (${hint})`,
    );
  const root = process.getuid?.() === 0;
  const sudo = root ? null : which('sudo', env);
  if (!root && !sudo) throw new Error(`${what}: ${packages.join(' ')} missing; run as root: ${hint}`);
  const run = (args) =>
    root
      ? runLogged(what, apt, args, { logFile, env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } })
      : runLogged(what, sudo, ['env', 'DEBIAN_FRONTEND=noninteractive', apt, ...args], { logFile });
  const prefix = root ? '' : 'sudo ';
  log(`${what}: not installed; running '${prefix}apt-get update' (log: ${logFile})`);
  await run(['update', '-q']);
  log(`${what}: running '${prefix}apt-get install -y ${packages.join(' ')}'`);
  await run(['install', '-y', '-q', ...packages]);
  if (!found()) throw new Error(`${what}: apt-get install finished but the programs are still not found`);
}

// ---------------------------------------------------------------- network
/** True if something accepts TCP connections on host:port. */
export function portOpen(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    const done = (v) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * One request/response exchange over a fresh TCP connection. `isComplete(buffer)` returns the
 * number of bytes of a full response (or 0 to keep reading).
 */
export function tcpExchange(port, payload, isComplete, { host = '127.0.0.1', timeoutMs = 3000 } = {}) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host });
    let buf = Buffer.alloc(0);
    const fail = (e) => {
      s.destroy();
      reject(e);
    };
    s.setTimeout(timeoutMs, () => fail(new Error(`timeout after ${timeoutMs} ms`)));
    s.once('error', fail);
    s.once('connect', () => s.write(payload));
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const n = isComplete(buf);
      if (n) {
        s.destroy();
        resolve(buf.subarray(0, n));
      }
    });
    s.once('end', () => fail(new Error('connection closed before a full response')));
  });
}

/** Kafka-style cluster id: 16 random bytes, base64url, not starting with '-'. */
export function randomKafkaUuid() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

// ---------------------------------------------------------------- state
export function readState(cfg) {
  const txt = readText(cfg.stateFile);
  if (!txt) return { services: {} };
  try {
    const s = JSON.parse(txt);
    s.services ||= {};
    return s;
  } catch {
    return { services: {} };
  }
}
export function writeState(cfg, state) {
  if (!Object.keys(state.services || {}).length) {
    fs.rmSync(cfg.stateFile, { force: true });
    return;
  }
  mkdirp(cfg.dir);
  const tmp = `${cfg.stateFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  fs.renameSync(tmp, cfg.stateFile);
}
