#!/usr/bin/env node
// Installs the pinned schemathesis into a per-user virtualenv (~/.cache/rs-platform/schemathesis-<version>),
// once: later runs and other clones reuse it. Python's venv module comes from Debian when missing.
// Exported for run.mjs; run directly it installs and prints the path of the `st` command. Node builtins only.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { aptInstall } from '../run-util.mjs';

export const SCHEMATHESIS_VERSION = '4.32.5';

const CACHE =
  process.env.RS_PLATFORM_CACHE ||
  path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'rs-platform');
const VENV = path.join(CACHE, `schemathesis-${SCHEMATHESIS_VERSION}`);
const ST = path.join(VENV, 'bin', 'st');

function say(message) {
  process.stdout.write(`[schemathesis] ${message}\n`);
}

function installedVersion() {
  if (!fs.existsSync(ST)) return undefined;
  const result = spawnSync(ST, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function venvWorks(python) {
  return spawnSync(python, ['-c', 'import venv, ensurepip'], { stdio: 'ignore' }).status === 0;
}

/** The path of the pinned `st` command, installed first when missing; throws with the reason when it cannot be. */
export function ensureSchemathesis() {
  const found = installedVersion();
  if (found?.includes(SCHEMATHESIS_VERSION)) return ST;
  const python = process.env.PYTHON || 'python3';
  if (!venvWorks(python)) {
    say(`${python} has no venv module: installing Debian's python3-venv`);
    if (!aptInstall(['python3-venv']) || !venvWorks(python))
      throw new Error(`${python} -m venv does not work: install python3-venv (apt-get install -y python3-venv)`);
  }
  say(`installing schemathesis ${SCHEMATHESIS_VERSION} into ${VENV} (first run only, ~1 min)`);
  const started = Date.now();
  fs.rmSync(VENV, { recursive: true, force: true });
  fs.mkdirSync(CACHE, { recursive: true });
  const steps = [
    [python, ['-m', 'venv', VENV]],
    [
      path.join(VENV, 'bin', 'pip'),
      ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`],
    ],
  ];
  for (const [command, args] of steps) {
    const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    if (result.status !== 0) {
      fs.rmSync(VENV, { recursive: true, force: true });
      throw new Error(`${path.basename(command)} ${args.join(' ')} failed (exit ${result.status})`);
    }
  }
  const version = installedVersion();
  if (!version) throw new Error(`${ST} does not run after the install`);
  say(`installed ${version} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return ST;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    console.log(ensureSchemathesis());
  } catch (error) {
    say(error.message);
    process.exit(1);
  }
}
