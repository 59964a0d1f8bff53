// Lets a tool require the project's TypeScript sources (apps and libs) with no build: files are compiled on
// require with ts.transpileModule (the same per-file, type-less transpilation the webpack build's ts-loader does,
// so decorator metadata is identical) and `@rs/*` imports resolve through tsconfig.base.json's paths.
// Requiring this file installs the hook; it also exports sortKeys, which both emitters write their files with.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..', '..');

const base = ts.readConfigFile(path.join(ROOT, 'tsconfig.base.json'), ts.sys.readFile).config;
const { options: compilerOptions } = ts.convertCompilerOptionsFromJson(
  {
    ...base.compilerOptions,
    module: 'commonjs',
    moduleResolution: 'node10',
    sourceMap: false,
    inlineSourceMap: true,
    declaration: false,
    importHelpers: false,
  },
  ROOT,
);
// Transpiled files are cached by content (transpiling is most of the run time); the cache is disposable.
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'rs-openapi');
const cacheSalt = `${ts.version}\0${JSON.stringify(compilerOptions)}`;
function transpile(source, filename) {
  const key = crypto
    .createHash('sha256')
    .update(cacheSalt)
    .update('\0')
    .update(filename)
    .update('\0')
    .update(source)
    .digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      fs.writeFileSync(`${cached}.${process.pid}`, outputText);
      fs.renameSync(`${cached}.${process.pid}`, cached);
    } catch {
      // A read-only node_modules only costs time.
    }
    return outputText;
  }
}
require.extensions['.ts'] = (module, filename) => {
  module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
};

const aliases = Object.entries(base.compilerOptions.paths ?? {}).map(([alias, [target]]) => [
  alias,
  path.join(ROOT, target),
]);
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveWithAliases(request, ...rest) {
  const alias = aliases.find(([name]) => name === request);
  return resolveFilename.call(this, alias ? alias[1] : request, ...rest);
};

/** Object keys sorted at every level (arrays keep their order), so the file is stable across runs. */
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    );
  }
  return value;
}

module.exports = { ROOT, sortKeys };
