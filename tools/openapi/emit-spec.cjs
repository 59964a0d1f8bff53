// Child process of generate.mjs: emits one app's OpenAPI document without any running service.
//   node tools/openapi/emit-spec.cjs <app> <output.json>
//
// How: TypeScript sources are compiled on require (typescript-require.cjs) and the app is created with
// NestFactory in preview mode, which scans modules and controllers but calls no constructor and no factory:
// no MongoDB, Kafka, Redis or Keycloak connection is attempted. The document is built by service-kit's buildOpenApiDocument, the
// function the apps' setupSwagger uses, so the file equals what /docs-json serves.
//
// Per-app conventions (all HTTP apps follow them):
//   src/app.module.ts        exports AppModule
//   src/swagger.ts           exports one function named *SwaggerOptions(config)
//   src/config/<app>.config.ts exports one function named load*Config(env)
// The config is read from an empty environment (defaults only, placeholders for variables without a
// default, such as secrets), never from the caller's, so the output does not depend on who runs it.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { ROOT, sortKeys } = require('./typescript-require.cjs');

const [app, output] = process.argv.slice(2);
if (!app || !output) {
  console.error('usage: node tools/openapi/emit-spec.cjs <app> <output.json>');
  process.exit(2);
}

// --- the app --------------------------------------------------------------------------------------
function exported(file, pattern, what) {
  const exports = require(file);
  const names = Object.keys(exports).filter((name) => pattern.test(name) && typeof exports[name] === 'function');
  if (names.length !== 1) {
    throw new Error(
      `${path.relative(ROOT, file)} must export exactly one ${what} (found: ${names.join(', ') || 'none'})`,
    );
  }
  return exports[names[0]];
}

/** The app's config from defaults only; variables without a default (secrets) get a placeholder. */
function defaultConfig(load) {
  const placeholders = {};
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      return load({ ...placeholders });
    } catch (error) {
      const missing = (error.problems ?? []).map((problem) => /^(\S+) is required$/.exec(problem)?.[1]).filter(Boolean);
      if (!missing.length || attempt === 1) throw error;
      for (const name of missing) placeholders[name] = 'openapi-placeholder-'.padEnd(64, 'x');
    }
  }
  throw new Error('unreachable');
}

async function main() {
  const source = path.join(ROOT, 'apps', app, 'src');
  const configFile = path.join(source, 'config', `${app}.config.ts`);
  const loadConfig = exported(configFile, /^load\w*Config$/, 'load*Config function');
  const swaggerOptions = exported(path.join(source, 'swagger.ts'), /SwaggerOptions$/, '*SwaggerOptions function');
  const { AppModule } = require(path.join(source, 'app.module.ts'));
  if (!AppModule) throw new Error(`apps/${app}/src/app.module.ts must export AppModule`);

  const { NestFactory } = require('@nestjs/core');
  const { buildOpenApiDocument } = require('@rs/service-kit');
  const nest = await NestFactory.create(AppModule, { preview: true, logger: false, abortOnError: false });
  try {
    const document = buildOpenApiDocument(nest, swaggerOptions(defaultConfig(loadConfig)));
    fs.mkdirSync(path.dirname(output), { recursive: true });
    fs.writeFileSync(output, `${JSON.stringify(sortKeys(document), null, 2)}\n`);
  } finally {
    await nest.close();
  }
}

main().then(
  // Some libraries keep timers (Kafka clients, pools) even unconstructed; the document is written.
  () => process.exit(0),
  (error) => {
    console.error(`openapi ${app}: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
    process.exit(1);
  },
);
