#!/usr/bin/env node
// Fails when a committed docs/openapi/<app>.json (or the frontend's aggregated frontend.json) differs from what
// the code generates now (step of `npm test`). Regenerates every HTTP app and the frontend into a temp dir and
// compares byte for byte. Also counts the
// documentation gaps audit.mjs finds (a warning, not a failure, until every app is complete).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditSpec } from './audit.mjs';
import { FRONTEND, generate, httpApps, ROOT, SPEC_DIR } from './generate.mjs';

const FIX = 'npx nx run-many -t openapi';
const started = Date.now();
const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-openapi-'));
const relative = (file) => path.relative(ROOT, file);

try {
  const apps = [...httpApps(), FRONTEND];
  const results = await generate(apps, tempDir);
  const problems = [];
  for (const { app, ok } of results) {
    const committed = path.join(SPEC_DIR, `${app}.json`);
    if (!ok) problems.push(`${app}: the spec could not be generated (error above)`);
    else if (!fs.existsSync(committed))
      problems.push(`${relative(committed)} is missing: run \`${FIX}\` and commit it`);
    else if (fs.readFileSync(committed, 'utf8') !== fs.readFileSync(path.join(tempDir, `${app}.json`), 'utf8')) {
      problems.push(`${relative(committed)} is stale (the code documents another API): run \`${FIX}\` and commit it`);
    }
  }
  const orphans = fs.existsSync(SPEC_DIR)
    ? fs
        .readdirSync(SPEC_DIR)
        .filter((file) => file.endsWith('.json') && !apps.includes(file.slice(0, -'.json'.length)))
    : [];
  for (const file of orphans) problems.push(`${relative(path.join(SPEC_DIR, file))} belongs to no HTTP app: delete it`);

  const gaps = results
    .filter(({ ok }) => ok)
    .map(({ app }) => [app, auditSpec(JSON.parse(fs.readFileSync(path.join(tempDir, `${app}.json`), 'utf8'))).length]);
  const incomplete = gaps.filter(([, count]) => count > 0);
  if (incomplete.length) {
    console.warn(
      `OpenAPI documentation gaps: ${incomplete.map(([app, count]) => `${app} ${count}`).join(', ')} (\`node tools/openapi/audit.mjs\` lists them)`,
    );
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (problems.length) {
    console.error(`OpenAPI specs out of date (${seconds} s):\n  - ${problems.join('\n  - ')}`);
    process.exitCode = 1;
  } else {
    console.log(
      `OpenAPI specs up to date: ${apps.map((app) => relative(path.join(SPEC_DIR, `${app}.json`))).join(', ')} (${seconds} s)`,
    );
  }
} finally {
  fs.rmSync(tempDir, { recursive: true, force: true });
}
