// JSON schemas of the Kubernetes API kinds, for kubeconform, generated offline: the OpenAPI document that the
// k8s.io/kubernetes Go module ships (api/openapi-spec/swagger.json) is fetched through the Go module proxy and
// turned into one standalone, strict schema per kind and version, as kubeconform's -schema-location expects
// (<kind><-group-version>.json). No schema download site is needed.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// Kubernetes' own types whose OpenAPI form is a string but that accept numbers too.
const SPECIAL = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { oneOf: [{ type: 'string' }, { type: 'integer' }] },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
};
const DEFINITION_REF = '#/definitions/';

/** Optional fields may be null in a manifest (Helm renders empty values so), as the API server accepts. */
function nullable(schema) {
  if (schema.oneOf) return { ...schema, oneOf: [...schema.oneOf, { type: 'null' }] };
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  return schema;
}

/**
 * Standalone strict schemas from an OpenAPI v2 document: every $ref inlined (a recursive one is left open),
 * additionalProperties false on every object with known properties, descriptions dropped.
 * Returns a Map of file name to schema.
 */
export function convertSwagger(swagger) {
  const definitions = swagger.definitions;
  const expanded = new Map();

  function expandDefinition(name, stack) {
    if (SPECIAL[name]) return SPECIAL[name];
    if (expanded.has(name)) return expanded.get(name);
    if (stack.includes(name)) return {};
    const schema = expand(definitions[name], [...stack, name]);
    expanded.set(name, schema);
    return schema;
  }

  function expand(node, stack) {
    if (Array.isArray(node)) return node.map((item) => expand(item, stack));
    if (!node || typeof node !== 'object') return node;
    if (node.$ref) return expandDefinition(node.$ref.slice(DEFINITION_REF.length), stack);
    if (node['x-kubernetes-int-or-string'] || node.format === 'int-or-string') return SPECIAL[Object.keys(SPECIAL)[0]];
    const out = {};
    for (const [keyword, value] of Object.entries(node)) {
      if (keyword === 'description' || keyword.startsWith('x-kubernetes-')) continue;
      if (keyword === 'properties') {
        const required = new Set(node.required ?? []);
        out.properties = Object.fromEntries(
          Object.entries(value).map(([property, schema]) => {
            const expandedSchema = expand(schema, stack);
            return [property, required.has(property) ? expandedSchema : nullable(expandedSchema)];
          }),
        );
      } else {
        out[keyword] = expand(value, stack);
      }
    }
    if (out.properties && out.additionalProperties === undefined && !node['x-kubernetes-preserve-unknown-fields'])
      out.additionalProperties = false;
    return out;
  }

  const files = new Map();
  for (const [name, definition] of Object.entries(definitions)) {
    for (const { group, version, kind } of definition['x-kubernetes-group-version-kind'] ?? []) {
      const apiVersion = group ? `${group}/${version}` : version;
      const schema = expandDefinition(name, []);
      const properties = {
        ...schema.properties,
        apiVersion: { type: 'string', enum: [apiVersion] },
        kind: { type: 'string', enum: [kind] },
      };
      files.set(`${kind.toLowerCase()}${kindSuffix(apiVersion)}.json`, { ...schema, properties });
    }
  }
  return files;
}

/** kubeconform's {{ .KindSuffix }}: -<first label of the group>-<version>, or -<version> for the core group. */
function kindSuffix(apiVersion) {
  const [groupOrVersion, version] = apiVersion.split('/');
  const first = groupOrVersion.split('.')[0].toLowerCase();
  return version ? `-${first}-${version.toLowerCase()}` : `-${first}`;
}

/** The module directory of k8s.io/kubernetes@v<version> in Go's module cache (downloaded when missing). */
function kubernetesModuleDir(version, cwd) {
  const result = spawnSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@v${version}`], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod' },
  });
  if (result.error) throw new Error(`go is needed to fetch the Kubernetes API schemas: ${result.error.message}`);
  let info;
  try {
    info = JSON.parse(result.stdout);
  } catch {
    throw new Error(`go mod download k8s.io/kubernetes@v${version} failed: ${result.stderr.trim()}`);
  }
  if (info.Error || !info.Dir) throw new Error(`go mod download k8s.io/kubernetes@v${version}: ${info.Error}`);
  return info.Dir;
}

/**
 * The directory of schemas for Kubernetes `version` (e.g. 1.34.2), generated once into `cacheDir` and reused while
 * this file is unchanged.
 */
export function ensureKubernetesSchemas({ version, cacheDir, say }) {
  const generator = crypto
    .createHash('sha256')
    .update(fs.readFileSync(new URL(import.meta.url)))
    .digest('hex');
  const dir = path.join(cacheDir, `v${version}-standalone-strict`);
  const marker = path.join(dir, '.generator');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === generator) return dir;

  say(`generating Kubernetes ${version} API schemas from the k8s.io/kubernetes module (first run only, ~1 min)`);
  fs.mkdirSync(cacheDir, { recursive: true });
  const moduleDir = kubernetesModuleDir(version, cacheDir);
  const swagger = JSON.parse(fs.readFileSync(path.join(moduleDir, 'api', 'openapi-spec', 'swagger.json'), 'utf8'));
  const files = convertSwagger(swagger);
  const staging = fs.mkdtempSync(path.join(cacheDir, '.schemas-'));
  for (const [file, schema] of files) fs.writeFileSync(path.join(staging, file), JSON.stringify(schema));
  fs.writeFileSync(path.join(staging, '.generator'), generator);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(staging, dir);
  say(`${files.size} schemas in ${dir}`);
  return dir;
}
