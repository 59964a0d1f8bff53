#!/usr/bin/env node
// `npm test`: lint, type-check and unit-test every project, check the committed OpenAPI specs, then run
// every integration suite against real Kafka / Mongo-wire DB / Redis / Keycloak (started here when
// they are not already running, and stopped again afterwards). Exits non-zero on any failure.
import fs from 'node:fs';
import path from 'node:path';
import { ensureDependencies, nxBin, ROOT, run, say } from './run-util.mjs';

const started = Date.now();
ensureDependencies();

const steps = [];
async function step(label, command, args) {
  const code = await run(command, args, { label });
  steps.push([label, code]);
  return code;
}

await step('format (prettier --check)', process.execPath, [
  path.join(ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs'),
  '--check',
  '--log-level=warn',
  '.',
]);
await step('lint, typecheck, unit tests', nxBin, [
  'run-many',
  '-t',
  'lint',
  'typecheck',
  'test',
  '--parallel=2',
  '--output-style=stream',
]);
if (fs.existsSync(path.join(ROOT, 'tools', 'openapi', 'check.mjs'))) {
  await step('openapi specs up to date', process.execPath, [path.join(ROOT, 'tools', 'openapi', 'check.mjs')]);
}
await step('helm chart checks', process.execPath, [path.join(ROOT, 'tools', 'deploy', 'validate-chart.mjs')]);
// The browser tests (test/browser) drive Debian's Chromium; install it when missing.
await step('chromium for browser tests', process.execPath, [path.join(ROOT, 'tools', 'ensure-chromium.mjs')]);
await step('integration tests (real services)', process.execPath, [
  path.join(ROOT, 'tools', 'stack', 'stack.mjs'),
  'run',
  '--',
  nxBin,
  'run-many',
  '-t',
  'integration',
  '--parallel=1',
  '--output-style=stream',
]);

say(`summary after ${((Date.now() - started) / 60000).toFixed(1)} min:`);
for (const [label, code] of steps) say(`  ${code === 0 ? 'PASS' : 'FAIL'}  ${label}`);
process.exit(steps.every(([, code]) => code === 0) ? 0 : 1);
