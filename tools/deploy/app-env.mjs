// The environment variables each app reads, taken from its env schema source (apps/<app>/src/config/*.config.ts
// and the shared fragments it spreads), so that the chart can be checked against the apps without building them.
// The schemas are object literals of `NAME: env.<parser>(...)` entries and `...FRAGMENT` spreads (see
// libs/service-kit/src/lib/env.util.ts); anything this reader cannot follow is an error, never a silent pass.
import fs from 'node:fs';
import path from 'node:path';

/** Files that define the shared fragments the apps spread into their schemas. */
const FRAGMENT_FILES = [
  'libs/service-kit/src/lib/platform-env.ts',
  'libs/auth-guard/src/lib/guarded-service.env.ts',
  'apps/key-manager/src/portal/portal.config.ts',
  'apps/key-worker/src/mail/smtp-options.util.ts',
];

/** The text of the `{ ... }` block starting at `open` (the index of its brace). */
function block(source, open) {
  let depth = 0;
  for (let index = open; index < source.length; index++) {
    if (source[index] === '{') depth++;
    else if (source[index] === '}' && --depth === 0) return source.slice(open, index + 1);
  }
  throw new Error('unbalanced braces');
}

/** Top-level entries of an object literal: variable names (secret or not) and spread fragment names. */
function entries(objectText) {
  const variables = new Map();
  const spreads = [];
  let depth = 0;
  for (const line of objectText.split('\n')) {
    if (depth === 1) {
      const variable = /^\s*([A-Z][A-Z0-9_]*):\s*(env\.(\w+))?/.exec(line);
      if (variable) variables.set(variable[1], { secret: variable[3] === 'secret' });
      const spread = /^\s*\.\.\.(\w+)/.exec(line);
      if (spread) spreads.push(spread[1]);
    }
    for (const character of line) {
      if (character === '{' || character === '(') depth++;
      else if (character === '}' || character === ')') depth--;
    }
  }
  return { variables, spreads };
}

/**
 * Where a fragment's object literal starts: `const NAME = {`, `NAME = (...) => ({` or
 * `function NAME(...) { return {`.
 */
function fragmentObject(source, name) {
  const patterns = [
    new RegExp(`const ${name}\\s*=\\s*\\{`),
    new RegExp(`const ${name}\\s*=\\s*\\([^)]*\\)\\s*=>\\s*\\(\\{`),
    new RegExp(`function ${name}\\s*\\([^)]*\\)[^{]*\\{\\s*return\\s*\\{`),
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(source);
    if (match) return block(source, match.index + match[0].length - 1);
  }
  return undefined;
}

/**
 * Every variable app `app` reads: Map of name to { secret }. The app's schema is the `<X>_ENV` constant of its
 * config file: an object literal, or a call of a fragment function (`guardedServiceEnv(3001)`).
 */
export function appEnvSchema(root, app) {
  const configFile = path.join(root, 'apps', app, 'src', 'config', `${app}.config.ts`);
  const source = fs.readFileSync(configFile, 'utf8');
  const fragments = FRAGMENT_FILES.map((file) => fs.readFileSync(path.join(root, file), 'utf8'));
  const declaration = /export const [A-Z_]+_ENV\s*=\s*(\{|(\w+)\()/.exec(source);
  if (!declaration) throw new Error(`${configFile}: no 'export const <APP>_ENV = ...' found`);
  const variables = new Map();
  const resolve = (name, seen) => {
    if (seen.has(name)) throw new Error(`${app}: env fragment ${name} spreads itself`);
    const text = fragments.map((fragmentSource) => fragmentObject(fragmentSource, name)).find(Boolean);
    if (!text) throw new Error(`${app}: env fragment ${name} not found in ${FRAGMENT_FILES.join(', ')}`);
    collect(text, new Set([...seen, name]));
  };
  const collect = (text, seen) => {
    const found = entries(text);
    for (const [name, info] of found.variables) variables.set(name, info);
    for (const spread of found.spreads) resolve(spread, seen);
  };
  if (declaration[2]) resolve(declaration[2], new Set());
  else collect(block(source, declaration.index + declaration[0].length - 1), new Set());
  if (!variables.has('PORT')) throw new Error(`${app}: PORT not found in its env schema; is ${configFile} readable?`);
  return variables;
}
