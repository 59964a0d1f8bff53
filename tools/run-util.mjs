// Small process helpers shared by tools/start.mjs and tools/test.mjs (Node builtins only: they run before npm ci).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.dirname(path.dirname(new URL(import.meta.url).pathname));

export const NX_ENV = {
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_SKIP_NX_CACHE: process.env.NX_SKIP_NX_CACHE ?? '',
};

export function say(message) {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Installs dependencies when node_modules is missing (a fresh clone), exactly as the lockfile says. */
export function ensureDependencies() {
  if (fs.existsSync(path.join(ROOT, 'node_modules', '.package-lock.json'))) return;
  say('node_modules missing: running npm ci (first run only, ~2 min)');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    say('npm ci failed; see the output above');
    process.exit(result.status ?? 1);
  }
}

/**
 * Runs a command to completion; resolves with its exit code. Output is inherited, or, with `onLine`, passed
 * through line by line and shown to `onLine` as well (to read test summaries out of it).
 */
export function run(command, args, { env = {}, label, onLine } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    if (label) say(`${label}: ${command} ${args.join(' ')}`);
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: onLine ? ['inherit', 'pipe', 'pipe'] : 'inherit',
      env: { ...process.env, ...NX_ENV, ...env },
    });
    if (onLine) {
      passLines(child.stdout, process.stdout, onLine);
      passLines(child.stderr, process.stderr, onLine);
    }
    const done = (code, signal) => {
      if (label)
        say(
          `${label}: ${code === 0 ? 'ok' : `failed (${signal ?? `exit ${code}`})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
      resolve(code ?? 1);
    };
    child.once('error', (error) => {
      say(`${command}: ${error.message}`);
      done(1);
    });
    child.once('exit', (code, signal) => {
      if (!onLine) return done(code, signal);
      // The last output may still be in the pipes; a leftover grandchild holding them must not keep us waiting.
      const timer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        done(code, signal);
      }, 2000);
      child.once('close', () => {
        clearTimeout(timer);
        done(code, signal);
      });
    });
  });
}

function passLines(from, to, onLine) {
  let rest = '';
  from.setEncoding('utf8');
  from.on('data', (chunk) => {
    to.write(chunk);
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    for (const line of lines) onLine(line);
  });
  from.on('end', () => rest && onLine(rest));
}

export const nxBin = path.join(ROOT, 'node_modules', '.bin', 'nx');

/**
 * Installs Debian packages with apt-get (as root, or through passwordless sudo), refreshing the package
 * lists once if the first attempt fails. Returns whether it worked.
 */
export function aptInstall(packages) {
  const apt = (args) => {
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const [command, argv] = asRoot ? ['apt-get', args] : ['sudo', ['-n', 'apt-get', ...args]];
    const result = spawnSync(command, argv, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return result.status === 0;
  };
  const install = ['install', '-y', '--no-install-recommends', ...packages];
  return apt(install) || (apt(['update']) && apt(install));
}
