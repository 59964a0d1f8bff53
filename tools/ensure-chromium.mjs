#!/usr/bin/env node
// Makes sure Debian's Chromium is installed for the browser tests (test/browser). playwright-core drives it
// at CHROMIUM_PATH (default /usr/bin/chromium); Playwright's own browser download cannot work here, so the
// browser comes from the distribution's packages. Installs with apt-get when missing (needs root or sudo).
// Exit 0 when the browser is there afterwards, 1 otherwise. Node builtins only.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const PACKAGES = ['chromium'];

function say(message) {
  process.stdout.write(`[ensure-chromium] ${message}\n`);
}

function version() {
  const result = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function apt(args) {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const [command, argv] = asRoot ? ['apt-get', args] : ['sudo', ['-n', 'apt-get', ...args]];
  const result = spawnSync(command, argv, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

if (fs.existsSync(CHROMIUM) && version()) {
  say(`${version()} at ${CHROMIUM}`);
  process.exit(0);
}
if (process.env.CHROMIUM_PATH) {
  say(`CHROMIUM_PATH=${CHROMIUM} does not run; fix it or unset it to use Debian's chromium`);
  process.exit(1);
}

say(`${CHROMIUM} missing: installing Debian's ${PACKAGES.join(' ')} (first run only, ~1 min)`);
const installed =
  apt(['install', '-y', '--no-install-recommends', ...PACKAGES]) ||
  (apt(['update']) && apt(['install', '-y', '--no-install-recommends', ...PACKAGES]));
if (!installed || !version()) {
  say(
    `could not install ${PACKAGES.join(' ')}: run 'apt-get update && apt-get install -y chromium' as root, or set CHROMIUM_PATH`,
  );
  process.exit(1);
}
say(`installed ${version()}`);
