import { appOfPath, FRONTEND_ROUTES, isUnderPrefix } from './frontend-routes';
import { FRONTEND_SECTIONS, type FrontendSection, frontendTagName } from './frontend-sections';

/** The parts of an OpenAPI 3 document the merge reads and writes; everything else passes through. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; description?: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
  tags: Array<{ name: string; description?: string }>;
}

/** One service's own document and the section it becomes. */
export interface FrontendPart {
  section: FrontendSection;
  /** The service's OpenAPI document as it serves it (not modified). */
  document: object;
}

export interface FrontendInfo {
  title: string;
  description: string;
  version: string;
}

/** Thrown when the services' documents cannot be shown as one: what and where, in the message. */
export class FrontendDocumentError extends Error {
  override readonly name = 'FrontendDocumentError';
}

type JsonObject = Record<string, unknown>;

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const COMPONENT_REF = /^#\/components\/([^/]+)\/([^/]+)$/;
const SECURITY_SCHEMES = 'securitySchemes';

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A deep copy of `value` whose component references and operation ids carry the namespace
 * (`#/components/schemas/Ns.Name`, `Ns_Controller_method`): operations and the links that name them stay in step.
 */
function namespaced(value: unknown, namespace: string): unknown {
  if (Array.isArray(value)) return value.map((item) => namespaced(item, namespace));
  if (!isObject(value)) return value;
  const copy: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    const target = key === '$ref' && typeof item === 'string' ? COMPONENT_REF.exec(item) : null;
    if (target) copy[key] = `#/components/${target[1]}/${namespace}.${target[2]}`;
    else if (key === 'operationId' && typeof item === 'string') copy[key] = `${namespace}_${item}`;
    else copy[key] = namespaced(item, namespace);
  }
  return copy;
}

/** Every component reference below `value`, as [kind, name]. */
function references(value: unknown, found: Array<[string, string]> = []): Array<[string, string]> {
  if (Array.isArray(value)) value.forEach((item) => references(item, found));
  else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const target = key === '$ref' && typeof item === 'string' ? COMPONENT_REF.exec(item) : null;
      if (target) found.push([target[1] as string, target[2] as string]);
      else references(item, found);
    }
  }
  return found;
}

function sameScheme(a: unknown, b: unknown): boolean {
  if (!isObject(a) || !isObject(b)) return false;
  const flows = (scheme: JsonObject) => Object.keys(isObject(scheme['flows']) ? scheme['flows'] : {}).sort();
  return (
    ['type', 'in', 'name', 'scheme'].every((field) => a[field] === b[field]) &&
    JSON.stringify(flows(a)) === JSON.stringify(flows(b))
  );
}

/**
 * The services' documents as one, in the order of `parts`: each section keeps the paths under its prefixes (each
 * must be routed to its own app by `routes`), its tags renamed, its components and operation ids namespaced so
 * that two services' DTOs never collide, and only the components its operations reach. Security schemes are
 * shared by name (the first definition wins; a different kind under the same name is an error), so one Authorize
 * dialog serves every section. Throws FrontendDocumentError on a path two services claim or a dangling reference.
 */
export function buildFrontendDocument(
  parts: readonly FrontendPart[],
  info: FrontendInfo,
  routes: Readonly<Record<string, string>> = FRONTEND_ROUTES,
): OpenApiDocument {
  const merged: OpenApiDocument = { openapi: '', info: { ...info }, paths: {}, components: {}, tags: [] };
  const owners = new Map<string, string>();
  const tags: string[] = [];
  const schemes: JsonObject = {};

  for (const { section, document } of parts) {
    const where = `${section.app}'s OpenAPI document`;
    const source = document as Partial<OpenApiDocument> & { security?: unknown };
    if (typeof source.openapi !== 'string' || !isObject(source.paths))
      throw new FrontendDocumentError(`${where} is not an OpenAPI 3 document`);
    if (
      merged.openapi &&
      merged.openapi.split('.').slice(0, 2).join('.') !== source.openapi.split('.').slice(0, 2).join('.')
    )
      throw new FrontendDocumentError(`${where} is OpenAPI ${source.openapi}, the others ${merged.openapi}`);
    merged.openapi ||= source.openapi;
    const components = isObject(source.components) ? (source.components as Record<string, JsonObject>) : {};

    const pending: Array<[string, string]> = [];
    const sectionTags: string[] = [];
    for (const [path, item] of Object.entries(source.paths)) {
      if (!section.paths.some((prefix) => isUnderPrefix(path, prefix))) continue;
      const routed = appOfPath(path, routes);
      if (routed !== section.app)
        throw new FrontendDocumentError(`${where} has ${path}, which the frontend routes to ${routed ?? 'no app'}`);
      if (owners.has(path))
        throw new FrontendDocumentError(`${path} is in the documents of both ${owners.get(path)} and ${section.app}`);
      owners.set(path, section.app);
      const copy = namespaced(item, section.namespace) as JsonObject;
      for (const [method, operation] of Object.entries(copy)) {
        if (!METHODS.has(method) || !isObject(operation)) continue;
        if (operation['security'] === undefined && source.security !== undefined)
          operation['security'] = source.security;
        const own = Array.isArray(operation['tags']) ? operation['tags'].map(String) : [section.namespace];
        operation['tags'] = own.map((tag) => frontendTagName(section, tag));
        for (const tag of operation['tags'] as string[]) if (!sectionTags.includes(tag)) sectionTags.push(tag);
        const requirements = Array.isArray(operation['security']) ? operation['security'] : [];
        for (const name of requirements.flatMap((requirement) =>
          isObject(requirement) ? Object.keys(requirement) : [],
        )) {
          const scheme = components[SECURITY_SCHEMES]?.[name];
          if (scheme === undefined)
            throw new FrontendDocumentError(
              `${where}: ${method.toUpperCase()} ${path} uses the undefined scheme ${name}`,
            );
          if (schemes[name] === undefined) schemes[name] = scheme;
          else if (!sameScheme(schemes[name], scheme))
            throw new FrontendDocumentError(`${where} defines security scheme ${name} unlike the documents before it`);
        }
      }
      merged.paths[path] = copy;
      pending.push(...references(copy));
    }

    const rank = (tag: string) => {
      const index = section.tagOrder?.indexOf(tag) ?? -1;
      return index < 0 ? Number.MAX_SAFE_INTEGER : index;
    };
    // A stable sort: tags tagOrder does not name keep the order they appear in.
    for (const tag of [...sectionTags].sort((a, b) => rank(a) - rank(b))) if (!tags.includes(tag)) tags.push(tag);

    // The components the kept operations reach, transitively.
    const prefix = `${section.namespace}.`;
    while (pending.length) {
      const [kind, name] = pending.pop() as [string, string];
      const bucket = (merged.components[kind] ??= {});
      if (bucket[name] !== undefined) continue;
      const original = components[kind]?.[name.slice(prefix.length)];
      if (!name.startsWith(prefix) || original === undefined)
        throw new FrontendDocumentError(
          `${where} refers to #/components/${kind}/${name.slice(prefix.length)}, which it lacks`,
        );
      bucket[name] = namespaced(original, section.namespace);
      pending.push(...references(bucket[name]));
    }
  }

  if (Object.keys(schemes).length) merged.components[SECURITY_SCHEMES] = schemes;
  merged.tags = tags.map((name) => ({ name }));
  return merged;
}

/**
 * The section a service's document belongs to: the one whose path prefixes hold its paths. Undefined when it
 * documents none of the frontend's paths (a service the frontend does not route).
 */
export function frontendSectionOf(
  document: object,
  sections: readonly FrontendSection[] = FRONTEND_SECTIONS,
): FrontendSection | undefined {
  const paths = Object.keys(
    isObject((document as JsonObject)['paths']) ? ((document as JsonObject)['paths'] as JsonObject) : {},
  );
  return sections.find((section) => paths.some((path) => section.paths.some((prefix) => isUnderPrefix(path, prefix))));
}
