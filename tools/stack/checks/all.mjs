// Runs every smoke check (each in its own process). Usage, with services up:
//   node tools/stack/stack.mjs run -- node tools/stack/checks/all.mjs [kafka mongo redis keycloak smtp]
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const dir = path.dirname(new URL(import.meta.url).pathname);
const names = process.argv.length > 2 ? process.argv.slice(2) : ['kafka', 'mongo', 'redis', 'keycloak', 'smtp'];
let failed = 0;
for (const n of names) {
  const t = Date.now();
  const r = spawnSync(process.execPath, [path.join(dir, `${n}.mjs`)], { stdio: 'inherit' });
  console.log(`--- ${n}: ${r.status === 0 ? 'ok' : 'FAILED'} (${Date.now() - t} ms)`);
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
