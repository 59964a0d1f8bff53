#!/usr/bin/env node
// Writes the OpenAPI document of HTTP apps into docs/openapi/<app>.json, from code, with no service running.
//   node tools/openapi/generate.mjs                 every HTTP app (an app with src/swagger.ts)
//   node tools/openapi/generate.mjs cadip auxip     those apps
//   node tools/openapi/generate.mjs --out <dir>     somewhere else (check.mjs uses a temp dir)
// Nx runs it per project as the `openapi` target: `npx nx run-many -t openapi`.
// Each app is emitted in its own process (emit-spec.cjs explains how), two at a time.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SPEC_DIR = path.join(ROOT, 'docs', 'openapi');
const EMITTER = path.join(ROOT, 'tools', 'openapi', 'emit-spec.cjs');
const CONCURRENCY = 2;

/** Apps that serve Swagger UI: the ones with src/swagger.ts and src/app.module.ts. */
export function httpApps() {
  return fs
    .readdirSync(path.join(ROOT, 'apps'))
    .filter((app) =>
      ['swagger.ts', 'app.module.ts'].every((file) => fs.existsSync(path.join(ROOT, 'apps', app, 'src', file))),
    )
    .sort();
}

function emit(app, outDir) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [EMITTER, app, path.join(outDir, `${app}.json`)], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code) => resolve({ app, ok: code === 0, ms: Date.now() - started }));
  });
}

/** Emits the given apps into outDir; resolves with one result per app. */
export async function generate(apps, outDir) {
  const queue = [...apps];
  const results = [];
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
      while (queue.length) results.push(await emit(queue.shift(), outDir));
    }),
  );
  return results.sort((a, b) => a.app.localeCompare(b.app));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  const outDir = outIndex >= 0 ? path.resolve(args[outIndex + 1] ?? '') : SPEC_DIR;
  const named = args.filter((_arg, index) => outIndex < 0 || (index !== outIndex && index !== outIndex + 1));
  const known = httpApps();
  const unknown = named.filter((app) => !known.includes(app));
  if (unknown.length) {
    console.error(
      `not an HTTP app (no apps/<app>/src/swagger.ts): ${unknown.join(', ')}; HTTP apps: ${known.join(', ')}`,
    );
    process.exit(2);
  }
  const results = await generate(named.length ? named : known, outDir);
  for (const { app, ok, ms } of results) {
    console.log(
      `openapi ${app}: ${ok ? `wrote ${path.relative(ROOT, path.join(outDir, `${app}.json`))}` : 'FAILED'} (${(ms / 1000).toFixed(1)} s)`,
    );
  }
  process.exit(results.every((result) => result.ok) ? 0 : 1);
}
