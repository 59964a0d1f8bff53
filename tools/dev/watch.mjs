// Watch mode of `npm start`: runs tools/dev/webpack-watch.cjs and restarts an app when a rebuild changed its bundle,
// and only then (a change in a lib rebuilds every app using it, but restarts only those whose code changed).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { NX_ENV, ROOT } from '../run-util.mjs';
import { describeExit, shownPath, signalProcess, stopProcess, tailOf, track } from './supervisor.cjs';

export const bundleOf = (app) => path.join(ROOT, 'dist', 'apps', app, 'main.js');

/** Content hash of an app's bundle (null when there is none), to tell a rebuild that changed it. */
export function bundleHash(app) {
  try {
    return crypto
      .createHash('sha256')
      .update(fs.readFileSync(bundleOf(app)))
      .digest('hex');
  } catch {
    return null;
  }
}

/**
 * Starts the watcher for `apps`. `running` maps each app to the bundle hash its process was started from (kept
 * up to date by the caller); `restart(app)` replaces its process. Returns a part for the shutdown.
 */
export function watchApps({ apps, running, restart, say, logFile }) {
  const out = fs.openSync(logFile, 'a');
  const logFrom = fs.fstatSync(out).size;
  const child = spawn(process.execPath, [path.join(ROOT, 'tools', 'dev', 'webpack-watch.cjs'), ...apps], {
    cwd: ROOT,
    env: { ...process.env, ...NX_ENV },
    stdio: ['ignore', out, out, 'ipc'],
    detached: true,
  });
  fs.closeSync(out);
  const record = track(child, { group: true });
  const started = Date.now();
  const firstBuilt = new Set();
  let stopping = false;
  let changed = new Map();
  let changedTimer = null;

  // Saving one file invalidates every bundle holding it: one line per file, once the compilers have all said so.
  const sayChanged = () => {
    for (const [file, names] of changed) say(`${file ?? 'a file'} changed: rebuilding ${[...names].join(', ')}`);
    changed = new Map();
  };

  child.on('message', (message) => {
    if (stopping) return;
    if (message.type === 'changed') {
      if (!changed.has(message.file)) changed.set(message.file, new Set());
      changed.get(message.file).add(message.app);
      clearTimeout(changedTimer);
      changedTimer = setTimeout(sayChanged, 100);
    } else if (message.type === 'built') {
      const first = !firstBuilt.has(message.app);
      firstBuilt.add(message.app);
      if (!message.ok) {
        say(
          `${message.app}: build failed, the running ${message.app} keeps its previous build:\n` +
            message.errors.map((error) => `    | ${error.split('\n').slice(0, 3).join('\n    | ')}`).join('\n'),
        );
      } else if (bundleHash(message.app) !== running.get(message.app)) {
        say(`${message.app} rebuilt in ${(message.ms / 1000).toFixed(1)} s: restarting it`);
        running.set(message.app, bundleHash(message.app));
        void restart(message.app);
      } else if (!first) {
        say(`${message.app} rebuilt in ${(message.ms / 1000).toFixed(1)} s: its code is unchanged, not restarted`);
      }
      if (first && firstBuilt.size === apps.length)
        say(`watching apps/ and libs/ (first build ${((Date.now() - started) / 1000).toFixed(0)} s); Ctrl-C stops`);
    } else if (message.type === 'failed') {
      say(`watch: ${message.message}`);
    }
  });
  record.exited.then((exit) => {
    if (!stopping)
      say(
        `the watcher exited (${describeExit(exit)}): the apps keep running, without rebuilds. ` +
          `Last lines of ${shownPath(logFile)}:\n${tailOf(logFile, 12, logFrom)}`,
      );
  });

  return {
    name: 'watcher',
    stop: (graceMs) => {
      stopping = true;
      return stopProcess(record, graceMs);
    },
    kill: () => {
      stopping = true;
      signalProcess(record, 'SIGKILL');
    },
  };
}
