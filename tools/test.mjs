#!/usr/bin/env node
// `npm test`: lint, type-check and unit-test every project, check the committed OpenAPI specs, then run
// every integration suite and schemathesis on every spec against real Kafka / Mongo-wire DB / Redis /
// Keycloak (started here when they are not already running, and stopped again afterwards). Exits non-zero
// on any failure.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { ensureNodeRuntime } from './node-runtime.mjs';
import { ensureDependencies, nxBin, ROOT, run, say } from './run-util.mjs';

await ensureNodeRuntime();
const started = Date.now();
ensureDependencies();

const steps = [];
async function step(label, command, args) {
  const code = await run(command, args, { label, onLine: countTests });
  steps.push([label, code]);
  return code;
}

// Jest's per-project summaries ("Tests:  3 failed, 71 passed, 74 total", after nx's project prefix, in colour when
// nx replays a cached run) and schemathesis's per spec ("auxip test cases: 3024 generated, 3024 passed" or "... 120
// generated, 3 found 2 unique failures, 5 skipped"), added up for the closing summary.
const counts = { suites: {}, tests: {}, cases: {} };
function countTests(rawLine) {
  const line = stripVTControlCharacters(rawLine);
  const jest = /(Test Suites|Tests):\s+((?:\d+ \w+, )*(?:\d+ of )?\d+ total)/.exec(line);
  const cases = /test cases: (\d+ generated(?:, [\w ]+)*)\s*$/.exec(line);
  if (!jest && !cases) return;
  const into = cases ? counts.cases : jest[1] === 'Tests' ? counts.tests : counts.suites;
  const add = (word, n) => (into[word] = (into[word] ?? 0) + Number(n));
  for (const part of (cases ? cases[1] : jest[2]).split(', ')) {
    const found = /^(\d+) found (\d+) unique failures?$/.exec(part);
    if (found) {
      add('failed', found[1]);
      add('unique failures', found[2]);
    } else {
      const [, n, word] = /(\d+) (\w+)$/.exec(part) ?? [];
      if (word) add(word, n);
    }
  }
}
/** The tally's counts, the words of `order` first. */
const phrase = (tally, order) =>
  [...new Set([...order, ...Object.keys(tally)])]
    .filter((word) => tally[word])
    .map((word) => `${tally[word]} ${word}`)
    .join(', ') || 'none';

const INTEGRATION_STEP = 'integration tests (real services)';
const SERVICE_STEPS = [
  [INTEGRATION_STEP, nxBin, ['run-many', '-t', 'integration', '--parallel=1', '--output-style=stream']],
  // Every committed OpenAPI spec against its running app: a route the spec does not state exactly fails here.
  ['openapi specs hold under schemathesis', process.execPath, [path.join(ROOT, 'tools', 'schemathesis', 'run.mjs')]],
];

// The steps that need the services, run by this script again inside one `stack.mjs run` (the services
// start once); each step's verdict goes back to the outer run through RS_TEST_RESULTS.
if (process.argv[2] === '--with-services') {
  for (const [label, command, args] of SERVICE_STEPS) await step(label, command, args);
  fs.writeFileSync(process.env.RS_TEST_RESULTS, JSON.stringify(steps));
  process.exit(steps.every(([, code]) => code === 0) ? 0 : 1);
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
// The scale-out test (test/scale-out) balances its replicas with Debian's nginx.
await step('nginx for the scale-out test', process.execPath, [
  path.join(ROOT, 'tools', 'bench', 'scale-out', 'nginx.mjs'),
  '--ensure',
]);
const results = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rs-test-')), 'results.json');
const servicesCode = await run(
  process.execPath,
  [
    path.join(ROOT, 'tools', 'stack', 'stack.mjs'),
    'run',
    '--',
    process.execPath,
    path.join(ROOT, 'tools', 'test.mjs'),
    '--with-services',
  ],
  { env: { RS_TEST_RESULTS: results }, onLine: countTests },
);
if (fs.existsSync(results)) steps.push(...JSON.parse(fs.readFileSync(results, 'utf8')));
else steps.push([`${INTEGRATION_STEP} (the services did not start)`, servicesCode || 1]);
fs.rmSync(path.dirname(results), { recursive: true, force: true });

say(`summary after ${((Date.now() - started) / 60000).toFixed(1)} min:`);
for (const [label, code] of steps) say(`  ${code === 0 ? 'PASS' : 'FAIL'}  ${label}`);
// In jest's own words, without the time prefix: what log readers look for.
const JEST_ORDER = ['failed', 'skipped', 'todo', 'passed', 'total'];
process.stdout.write(`Test Suites: ${phrase(counts.suites, JEST_ORDER)}\n`);
process.stdout.write(`Tests:       ${phrase(counts.tests, JEST_ORDER)}\n`);
process.stdout.write(
  `Schemathesis test cases: ${phrase(counts.cases, ['generated', 'passed', 'failed', 'unique failures', 'skipped'])}\n`,
);
// Last, the plain closing line that CI log readers of any language look for: jest tests and schemathesis cases.
// Schemathesis's "passed" is every generated case when none failed, its skipped and errored ones included.
const of = (tally, word) => tally[word] ?? 0;
const casesFailed = of(counts.cases, 'failed') + of(counts.cases, 'errored');
const casesSkipped = of(counts.cases, 'skipped');
const casesPassed = Math.max(0, of(counts.cases, 'generated') - casesFailed - casesSkipped);
const failedSteps = steps.filter(([, code]) => code !== 0).length;
// A step can fail with no test counted as failed (lint, a suite that does not compile): the line says so too.
const failed = of(counts.tests, 'failed') + casesFailed || failedSteps;
process.stdout.write(
  `All: ${of(counts.tests, 'passed') + casesPassed} passed, ${failed} failed, ` +
    `${of(counts.tests, 'skipped') + casesSkipped} skipped\n`,
);
process.exit(steps.every(([, code]) => code === 0) ? 0 : 1);
