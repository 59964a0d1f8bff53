// Completeness rules for the generated specs, as issue 6 states them: every operation has a summary, a
// description, documented parameters, and response schemas for its successes and its errors.
//   node tools/openapi/audit.mjs [docs/openapi/<app>.json ...]    prints the gaps; exit 1 when there are any
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

function hasSchema(response) {
  return Object.values(response.content ?? {}).some((media) => media.schema && Object.keys(media.schema).length > 0);
}

/** The gaps of one OpenAPI document, one line each ("GET /path: what is missing"). */
export function auditSpec(document) {
  const gaps = [];
  for (const [route, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const where = `${method.toUpperCase()} ${route}`;
      if (!operation.summary?.trim()) gaps.push(`${where}: no summary`);
      if (!operation.description?.trim()) gaps.push(`${where}: no description`);
      for (const parameter of [...(item.parameters ?? []), ...(operation.parameters ?? [])]) {
        if (!parameter.description?.trim())
          gaps.push(`${where}: ${parameter.in} parameter '${parameter.name}' has no description`);
        if (!parameter.schema && !parameter.content)
          gaps.push(`${where}: ${parameter.in} parameter '${parameter.name}' has no schema`);
      }
      const body = operation.requestBody;
      if (body && !Object.values(body.content ?? {}).some((media) => media.schema))
        gaps.push(`${where}: request body has no schema`);
      const responses = Object.entries(operation.responses ?? {});
      const successes = responses.filter(([status]) => /^2/.test(status));
      const errors = responses.filter(([status]) => /^[45]/.test(status) || status === 'default');
      if (!successes.length) gaps.push(`${where}: no success response`);
      for (const [status, response] of successes) {
        // 204 and redirects carry no body by definition.
        if (status !== '204' && !hasSchema(response)) gaps.push(`${where}: response ${status} has no schema`);
      }
      if (!errors.length) gaps.push(`${where}: no error response documented`);
      for (const [status, response] of errors) {
        // 431 comes from Node's HTTP server before any route, with no body to describe.
        if (status !== '431' && !hasSchema(response)) gaps.push(`${where}: error response ${status} has no schema`);
      }
      for (const [status, response] of responses) {
        if (!response.description?.trim()) gaps.push(`${where}: response ${status} has no description`);
      }
      const secured = (operation.security ?? document.security ?? []).length > 0;
      if (secured && !errors.some(([status]) => status === '401'))
        gaps.push(`${where}: secured but 401 not documented`);
    }
  }
  return gaps;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const dir = path.join(root, 'docs', 'openapi');
  const files = process.argv.slice(2).length
    ? process.argv.slice(2)
    : fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => path.join(dir, f));
  let total = 0;
  for (const file of files) {
    const gaps = auditSpec(JSON.parse(fs.readFileSync(file, 'utf8')));
    total += gaps.length;
    console.log(`${path.relative(root, path.resolve(file))}: ${gaps.length ? `${gaps.length} gap(s)` : 'complete'}`);
    for (const gap of gaps) console.log(`  - ${gap}`);
  }
  process.exit(total ? 1 : 0);
}
