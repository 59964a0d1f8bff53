// Child process of generate.mjs: the frontend's aggregated OpenAPI document (docs/openapi/frontend.json) from
// the services' documents in a directory, merged by libs/api-frontend as the key manager merges them at run time.
//   node tools/openapi/emit-frontend.cjs <dir with <app>.json> <output.json>
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { sortKeys } = require('./typescript-require.cjs');

const [specDir, output] = process.argv.slice(2);
if (!specDir || !output) {
  console.error('usage: node tools/openapi/emit-frontend.cjs <spec dir> <output.json>');
  process.exit(2);
}

try {
  const { buildFrontendDocument, FRONTEND_INFO, FRONTEND_SECTIONS } = require('@rs/api-frontend');
  const parts = FRONTEND_SECTIONS.map((section) => ({
    section,
    document: JSON.parse(fs.readFileSync(path.join(specDir, `${section.app}.json`), 'utf8')),
  }));
  const document = buildFrontendDocument(parts, FRONTEND_INFO);
  fs.mkdirSync(path.dirname(output), { recursive: true });
  fs.writeFileSync(output, `${JSON.stringify(sortKeys(document), null, 2)}\n`);
} catch (error) {
  console.error(`openapi frontend: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
  process.exit(1);
}
