#!/usr/bin/env node
// Writes the OpenAPI document of HTTP apps into docs/openapi/<app>.json, from code, with no service running,
// and the frontend's aggregated document, docs/openapi/frontend.json, from theirs.
//   node tools/openapi/generate.mjs                 every HTTP app, then the frontend
//   node tools/openapi/generate.mjs cadip auxip     those apps
//   node tools/openapi/generate.mjs frontend        the frontend only, from the apps' files in the output dir
//   node tools/openapi/generate.mjs --out <dir>     somewhere else (check.mjs uses a temp dir)
// Nx runs it per project as the `openapi` target: `npx nx run-many -t openapi` (the frontend is the target of
// libs/api-frontend, after the apps'). Each document is emitted in its own process (emit-spec.cjs,
// emit-frontend.cjs), two at a time.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SPEC_DIR = path.join(ROOT, 'docs', 'openapi');
const EMITTER = path.join(ROOT, 'tools', 'openapi', 'emit-spec.cjs');
const FRONTEND_EMITTER = path.join(ROOT, 'tools', 'openapi', 'emit-frontend.cjs');
/** The aggregated document's name in docs/openapi (not an app). */
export const FRONTEND = 'frontend';
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
    const args =
      app === FRONTEND
        ? [FRONTEND_EMITTER, outDir, path.join(outDir, `${FRONTEND}.json`)]
        : [EMITTER, app, path.join(outDir, `${app}.json`)];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code) => resolve({ app, ok: code === 0, ms: Date.now() - started }));
  });
}

/** Emits the given apps into outDir (the frontend last, from the others); resolves with one result per document. */
export async function generate(apps, outDir) {
  const queue = apps.filter((app) => app !== FRONTEND);
  const results = [];
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
      while (queue.length) results.push(await emit(queue.shift(), outDir));
    }),
  );
  if (apps.includes(FRONTEND)) {
    const failed = results.filter((result) => !result.ok).map((result) => result.app);
    results.push(failed.length ? { app: FRONTEND, ok: false, ms: 0, after: failed } : await emit(FRONTEND, outDir));
  }
  return results.sort((a, b) => a.app.localeCompare(b.app));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  const outDir = outIndex >= 0 ? path.resolve(args[outIndex + 1] ?? '') : SPEC_DIR;
  const named = args.filter((_arg, index) => outIndex < 0 || (index !== outIndex && index !== outIndex + 1));
  const known = [...httpApps(), FRONTEND];
  const unknown = named.filter((app) => !known.includes(app));
  if (unknown.length) {
    console.error(
      `not an HTTP app (no apps/<app>/src/swagger.ts): ${unknown.join(', ')}; documents: ${known.join(', ')}`,
    );
    process.exit(2);
  }
  const results = await generate(named.length ? named : known, outDir);
  for (const { app, ok, ms, after } of results) {
    const outcome = ok
      ? `wrote ${path.relative(ROOT, path.join(outDir, `${app}.json`))}`
      : `FAILED${after ? ` (not built: ${after.join(', ')} failed)` : ''}`;
    console.log(`openapi ${app}: ${outcome} (${(ms / 1000).toFixed(1)} s)`);
  }
  process.exit(results.every((result) => result.ok) ? 0 : 1);
}
