#!/usr/bin/env node
// Makes sure Debian's Chromium is installed for the browser tests (test/browser). playwright-core drives it
// at CHROMIUM_PATH (default /usr/bin/chromium); Playwright's own browser download cannot work here, so the
// browser comes from the distribution's packages. Installs with apt-get when missing (needs root or sudo).
// Exit 0 when the browser is there afterwards, 1 otherwise. Node builtins only.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { aptInstall } from './run-util.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const PACKAGES = ['chromium'];

function say(message) {
  process.stdout.write(`[ensure-chromium] ${message}\n`);
}

function version() {
  const result = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
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
if (!aptInstall(PACKAGES) || !version()) {
  say(
    `could not install ${PACKAGES.join(' ')}: run 'apt-get update && apt-get install -y chromium' as root, or set CHROMIUM_PATH`,
  );
  process.exit(1);
}
say(`installed ${version()}`);
