// provision / up / down / status / run for the local services.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  StackError,
  config,
  fmtMs,
  log,
  mkdirp,
  withLock,
  ownedAlive,
  pidAlive,
  portOpen,
  readState,
  sleep,
  startDetached,
  stopGroup,
  tailFile,
  writeState,
} from './common.mjs';
import kafka from './kafka.mjs';
import keycloak from './keycloak.mjs';
import mongo from './mongo.mjs';
import postgres from './postgres.mjs';
import redis from './redis.mjs';
import smtp from './smtp.mjs';

export const SERVICES = { kafka, postgres, mongo, redis, keycloak, smtp };
export const ALL = Object.keys(SERVICES);

/** The named services (default: all) and, before each, the services it `requires` (mongo needs postgres). */
export function resolveServices(names) {
  const asked = !names || names.length === 0 ? ALL : [...new Set(names)];
  for (const n of asked) if (!SERVICES[n]) throw new Error(`unknown service '${n}' (known: ${ALL.join(', ')})`);
  const list = [];
  const add = (n) => {
    if (list.includes(n)) return;
    for (const required of SERVICES[n].requires ?? []) add(required);
    list.push(n);
  };
  asked.forEach(add);
  return list;
}

function logFileOf(cfg, name) {
  return path.join(cfg.logs, `${name}.log`);
}
function provisionLogOf(cfg, name) {
  return path.join(cfg.logs, `provision-${name}.log`);
}

async function probeOnce(svc, cfg) {
  try {
    return await svc.probe(cfg);
  } catch (e) {
    return { ok: false, detail: e.cause?.code || e.code || e.message };
  }
}

/** A service's work once it is healthy (Kafka: create the platform topics), as a StackError when it fails. */
async function afterHealthy(name, cfg) {
  try {
    await SERVICES[name].afterHealthy?.(cfg);
  } catch (e) {
    throw new StackError(name, `healthy, but setting it up failed: ${e.message}`);
  }
}

function healthTimeout(svc, cfg, opts) {
  if (opts.timeoutMs) return opts.timeoutMs;
  const env = Number(cfg.env.RS_STACK_HEALTH_TIMEOUT);
  return env > 0 ? env * 1000 : svc.healthTimeoutMs;
}

/** Download/build what is missing into the cache. */
export async function provision(names, opts = {}) {
  const cfg = opts.cfg || config(opts.env);
  mkdirp(cfg.logs);
  const list = resolveServices(names);
  const report = {};
  for (const name of list) {
    const svc = SERVICES[name];
    const t = Date.now();
    if (svc.provisioned(cfg)) {
      report[name] = { action: 'cached', ms: 0 };
      if (!opts.quiet) log(`${name}: already provisioned`);
      continue;
    }
    try {
      await svc.provision(cfg, { logFile: provisionLogOf(cfg, name) });
    } catch (e) {
      throw new StackError(name, `provisioning failed: ${e.message}`, provisionLogOf(cfg, name));
    }
    report[name] = { action: 'provisioned', ms: Date.now() - t };
    log(`${name}: provisioned in ${fmtMs(Date.now() - t)}`);
  }
  return report;
}

/**
 * Start every requested service that is not already healthy. Services answering on their port are reused
 * (not owned). Returns { services: {name: {status, port, pid?, ms}}, started: [names] }.
 * On failure, stops what this call started and throws a StackError naming the service, reason and log.
 */
export async function up(names, opts = {}) {
  const cfg = opts.cfg || config(opts.env);
  const list = resolveServices(names);
  mkdirp(cfg.logs);
  mkdirp(cfg.data);
  // Two `up` in one clone at once (e.g. parallel test targets) take turns: the second one then finds the
  // services healthy and reports them as running instead of racing for the ports.
  return withLock(path.join(cfg.dir, 'up.lock'), 'up', () => upLocked(cfg, list, opts), 15 * 60 * 1000);
}

async function upLocked(cfg, list, opts) {
  const signal = opts.signal;
  const result = { services: {}, started: [] };

  // 1. What is already there?
  const state = readState(cfg);
  const toStart = [];
  const waits = [];
  for (const name of list) {
    const svc = SERVICES[name];
    const ports = svc.ports(cfg);
    const entry = state.services[name];
    const ours = entry?.owned && ownedAlive(entry) ? entry : null;
    const pr = await probeOnce(svc, cfg);
    if (pr.ok) {
      await afterHealthy(name, cfg);
      result.services[name] = {
        status: ours ? 'running' : 'reused',
        port: ports[0],
        pid: ours?.pid,
        detail: pr.detail,
        ms: 0,
      };
      if (!ours) {
        state.services[name] = { owned: false, port: ports[0], reusedAt: new Date().toISOString() };
        if (name === 'keycloak')
          log(
            'keycloak: reusing a Keycloak that is not ours; its realm may not match docker/keycloak/rs-server-realm.json',
          );
      }
      continue;
    }
    if (ours) {
      // ours and still starting (e.g. a previous `up` timed out waiting): wait for it
      waits.push(name);
      continue;
    }
    for (const port of ports) {
      if (await portOpen(port)) {
        throw new StackError(
          name,
          `port ${port} is in use by a process that does not answer as ${name} (${pr.detail}); stop it or set another port (see tools/stack/README.md)`,
        );
      }
    }
    toStart.push(name);
  }

  // Keycloak is by far the slowest to boot: start it first so the others start while it boots.
  toStart.sort((a, b) => (b === 'keycloak') - (a === 'keycloak'));

  // 2. Provision what is missing (sequential: clear progress, and Maven/Go share caches).
  const missing = toStart.filter((n) => !SERVICES[n].provisioned(cfg));
  if (missing.length) await provision(missing, { cfg });

  // 3. Start in parallel, then wait for health.
  const started = {};
  const stopStarted = async () => {
    for (const [name, s] of Object.entries(started)) {
      log(`${name}: stopping (pid ${s.pid})`);
      await stopGroup({ pid: s.pid, pgid: s.pid });
      const st = readState(cfg);
      delete st.services[name];
      writeState(cfg, st);
    }
  };
  try {
    for (const name of toStart) {
      if (signal?.aborted) throw new StackError(name, 'interrupted');
      const svc = SERVICES[name];
      const logFile = logFileOf(cfg, name);
      let spec;
      try {
        spec = await svc.prepare(cfg, { logFile });
      } catch (e) {
        throw new StackError(name, `cannot prepare: ${e.message}`, logFile);
      }
      const proc = startDetached(spec.cmd, spec.args, { cwd: spec.cwd, env: spec.env, logFile, user: spec.user });
      if (!proc.pid) throw new StackError(name, `could not spawn ${spec.cmd}`, logFile);
      started[name] = { pid: proc.pid, proc, t0: Date.now(), logFile };
      const st = readState(cfg);
      st.services[name] = {
        owned: true,
        pid: proc.pid,
        pgid: proc.pid,
        match: spec.match,
        port: svc.ports(cfg)[0],
        log: logFile,
        startedAt: new Date().toISOString(),
      };
      writeState(cfg, st);
      log(`${name}: started pid ${proc.pid} (${svc.describe(cfg)}), log ${path.relative(cfg.cwd, logFile) || logFile}`);
    }
    for (const name of waits) {
      started[name] = null; // not started by this call
    }
    // fail fast: the first service that fails cancels the other waits
    const failAc = new AbortController();
    const waitFor = async (name) => {
      const svc = SERVICES[name];
      const s = started[name];
      const entry = s ? null : readState(cfg).services[name];
      const logFile = s?.logFile || entry?.log || logFileOf(cfg, name);
      const t0 = s?.t0 || Date.now();
      const timeout = healthTimeout(svc, cfg, opts);
      let last = 'no answer yet';
      let lastPrint = Date.now();
      for (;;) {
        if (signal?.aborted) throw new StackError(name, 'interrupted', logFile);
        if (failAc.signal.aborted) throw Object.assign(new StackError(name, 'cancelled'), { cancelled: true });
        const exit = s ? s.proc.exited() : !ownedAlive(entry) ? { code: '?' } : null;
        if (exit) {
          throw new StackError(
            name,
            `process exited (${exit.signal || `exit code ${exit.code}`}) before it was healthy${exit.error ? `: ${exit.error}` : ''}${svc.hint ? `; ${svc.hint(cfg)}` : ''}`,
            logFile,
            tailFile(logFile),
          );
        }
        const pr = await probeOnce(svc, cfg);
        if (pr.ok) {
          const ms = Date.now() - t0;
          log(`${name}: healthy after ${fmtMs(ms)} (${pr.detail})`);
          await afterHealthy(name, cfg);
          result.services[name] = {
            status: s ? 'started' : 'running',
            port: svc.ports(cfg)[0],
            pid: s?.pid || entry?.pid,
            detail: pr.detail,
            ms,
          };
          if (s) result.started.push(name);
          return;
        }
        last = pr.detail;
        if (Date.now() - t0 > timeout) {
          throw new StackError(
            name,
            `not healthy after ${fmtMs(timeout)} (last check: ${last})`,
            logFile,
            tailFile(logFile),
          );
        }
        if (Date.now() - lastPrint >= 10000) {
          log(`  ${name}: waiting for health, ${fmtMs(Date.now() - t0)} (last check: ${last})`);
          lastPrint = Date.now();
        }
        await sleep(name === 'keycloak' ? 1000 : 300);
      }
    };
    const results = await Promise.allSettled(
      [...toStart, ...waits].map((n) =>
        waitFor(n).catch((e) => {
          failAc.abort();
          throw e;
        }),
      ),
    );
    const failed = results.filter((r) => r.status === 'rejected' && !r.reason.cancelled).map((r) => r.reason);
    if (failed.length) {
      const err =
        failed.length === 1
          ? failed[0]
          : new StackError(failed.map((f) => f.service).join(', '), failed.map((f) => f.message).join('\n\n'));
      throw err;
    }
  } catch (e) {
    if (opts.keepOnFailure) throw e;
    // clean up what this call started (the state keeps nothing of it)
    for (const name of Object.keys(started)) if (!started[name]) delete started[name];
    await stopStarted();
    throw e;
  } finally {
    const st = readState(cfg);
    for (const [name, r] of Object.entries(result.services)) {
      if (r.status === 'reused') st.services[name] = { owned: false, port: r.port, reusedAt: new Date().toISOString() };
    }
    writeState(cfg, st);
  }
  if (!opts.quiet) printSummary(cfg, result, list);
  return result;
}

function printSummary(cfg, result, list) {
  const rows = list.map((name) => {
    const r = result.services[name];
    return [
      name,
      r.status + (r.status === 'started' ? ` in ${fmtMs(r.ms)}` : ''),
      SERVICES[name].describe(cfg),
      r.pid ? `pid ${r.pid}` : '(not owned)',
    ];
  });
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  log('stack is up:');
  for (const r of rows) log(`  ${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2].padEnd(w[2])}  ${r[3]}`);
}

/** Stop what `up` started (all owned services, or only `names`), then remove their state. */
export async function down(names, opts = {}) {
  const cfg = opts.cfg || config(opts.env);
  const state = readState(cfg);
  const list = names && names.length ? resolveServices(names) : Object.keys(state.services);
  const stopped = [];
  await Promise.all(
    list.map(async (name) => {
      const e = state.services[name];
      if (!e) return;
      if (e.owned) {
        if (ownedAlive(e)) {
          const how = await stopGroup(e, opts.graceMs ?? 20000);
          stopped.push(name);
          if (!opts.quiet) log(`${name}: stopped pid ${e.pid} (${how})`);
        } else if (!opts.quiet) {
          log(`${name}: pid ${e.pid} already gone`);
        }
      } else if (!opts.quiet) {
        log(`${name}: not started by us (reused), left running`);
      }
      delete state.services[name];
    }),
  );
  writeState(cfg, state);
  if (!opts.quiet && !list.length) log('nothing to stop');
  return { stopped };
}

/** Health of each service: { name: { healthy, detail, port, owned, pid } }. */
export async function status(names, opts = {}) {
  const cfg = opts.cfg || config(opts.env);
  const state = readState(cfg);
  const list = resolveServices(names);
  const res = {};
  await Promise.all(
    list.map(async (name) => {
      const svc = SERVICES[name];
      const pr = await probeOnce(svc, cfg);
      const e = state.services[name];
      const owned = Boolean(e?.owned && ownedAlive(e));
      res[name] = {
        healthy: pr.ok,
        detail: pr.detail,
        port: svc.ports(cfg)[0],
        owned,
        pid: owned ? e.pid : undefined,
        provisioned: safe(() => svc.provisioned(cfg)),
      };
    }),
  );
  return Object.fromEntries(list.map((n) => [n, res[n]]));
}
function safe(fn) {
  try {
    return fn();
  } catch {
    return false;
  }
}

/**
 * `up`, run a command with inherited stdio, then `down` only what this call started.
 * Resolves with the command's exit code (128+n when it died of signal n).
 */
export async function run(names, command, opts = {}) {
  if (!command.length) throw new Error('run: no command given (usage: stack.mjs run [svc...] -- <command...>)');
  const cfg = opts.cfg || config(opts.env);
  const ac = new AbortController();
  let child = null;
  let gotSignal = null;
  const onSignal = (sig) => {
    if (gotSignal) return;
    gotSignal = sig;
    log(`received ${sig}; stopping`);
    if (child && child.exitCode === null) child.kill(sig);
    ac.abort();
  };
  const handlers = {
    SIGINT: () => onSignal('SIGINT'),
    SIGTERM: () => onSignal('SIGTERM'),
    SIGHUP: () => onSignal('SIGHUP'),
  };
  for (const [s, h] of Object.entries(handlers)) process.on(s, h);
  let started = [];
  try {
    const res = await up(names, { ...opts, cfg, signal: ac.signal });
    started = res.started;
    if (gotSignal) return 128 + (gotSignal === 'SIGINT' ? 2 : gotSignal === 'SIGHUP' ? 1 : 15);
    log(`running: ${command.join(' ')}`);
    const code = await new Promise((resolve) => {
      child = spawn(command[0], command.slice(1), { stdio: 'inherit', env: opts.childEnv || process.env });
      child.on('error', (e) => {
        log(`cannot run ${command[0]}: ${e.message}`);
        resolve(127);
      });
      child.on('exit', (c, sig) => resolve(c ?? 128 + ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[sig] || 1)));
    });
    log(`command exited with ${code}`);
    return code;
  } catch (e) {
    if (gotSignal) {
      log(e.message);
      return 128 + (gotSignal === 'SIGINT' ? 2 : gotSignal === 'SIGHUP' ? 1 : 15);
    }
    throw e;
  } finally {
    if (started.length) await down(started, { cfg });
    for (const [s, h] of Object.entries(handlers)) process.off(s, h);
  }
}

export { pidAlive };
