import fs from 'node:fs';
import path from 'node:path';
import {
  buildFrontendDocument,
  FrontendDocumentError,
  type FrontendPart,
  frontendSectionOf,
  type OpenApiDocument,
} from './frontend-document.util';
import { FRONTEND_SECTIONS, type FrontendSection } from './frontend-sections';

const INFO = { title: 'RS-Server', description: 'All services', version: '1.0' };
const ROUTES = { '/': 'keys', '/stations': 'stations' };
const KEYS: FrontendSection = { app: 'keys', namespace: 'Keys', paths: ['/auth'] };
const STATIONS: FrontendSection = {
  app: 'stations',
  namespace: 'Stations',
  paths: ['/stations'],
  tags: { Stations: 'ADGS stations' },
  tagPrefix: 'Stations',
};

const keycloak = { type: 'oauth2', flows: { authorizationCode: { authorizationUrl: 'http://kc/auth' } } };
const apiKey = { type: 'apiKey', in: 'header', name: 'x-api-key' };
const health = { get: { operationId: 'HealthController_live', tags: ['Operations'], responses: {} } };

function keysDocument(): object {
  return {
    openapi: '3.0.0',
    info: { title: 'Keys', version: '1' },
    paths: {
      '/auth/me': {
        get: {
          operationId: 'MeController_me',
          summary: 'Show My Information',
          tags: ['API Key Manager'],
          security: [{ keycloak: ['openid'] }],
          responses: {
            '200': {
              content: { 'application/json': { schema: { $ref: '#/components/schemas/MeDto' } } },
              links: { Self: { operationId: 'MeController_me' } },
            },
            '401': { content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } } },
          },
        },
      },
      '/health': health,
    },
    components: {
      schemas: {
        MeDto: { type: 'object', properties: { user_login: { type: 'string' } } },
        ErrorResponseDto: { type: 'object', properties: { code: { type: 'string' } } },
        LivenessDto: { type: 'object' },
      },
      securitySchemes: { keycloak },
    },
  };
}

function stationsDocument(): object {
  return {
    openapi: '3.0.0',
    info: { title: 'Stations', version: '1' },
    paths: {
      '/stations/{station}/search': {
        parameters: [{ $ref: '#/components/parameters/Station' }],
        get: {
          operationId: 'StationsController_search',
          tags: ['Stations'],
          security: [{ 'api-key': [] }, { keycloak: ['openid'] }],
          responses: {
            '200': {
              content: { 'application/json': { schema: { $ref: '#/components/schemas/FeatureCollectionDto' } } },
            },
            '403': { content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } } },
          },
        },
      },
      '/stations/conformance': {
        get: { operationId: 'StationsController_conformance', tags: ['Other'], responses: {} },
      },
      '/health': health,
    },
    components: {
      parameters: { Station: { name: 'station', in: 'path', required: true, schema: { type: 'string' } } },
      schemas: {
        FeatureCollectionDto: {
          type: 'object',
          properties: { features: { type: 'array', items: { $ref: '#/components/schemas/ItemDto' } } },
        },
        ItemDto: { type: 'object', properties: { id: { type: 'string' } } },
        ErrorResponseDto: { type: 'object', properties: { code: { type: 'string' }, station: { type: 'string' } } },
        LivenessDto: { type: 'object' },
      },
      securitySchemes: { keycloak: { ...keycloak, description: 'other text' }, 'api-key': apiKey },
    },
  };
}

const parts = (): FrontendPart[] => [
  { section: KEYS, document: keysDocument() },
  { section: STATIONS, document: stationsDocument() },
];

/** Every `$ref` below `value`. */
function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key === '$ref' && typeof item === 'string' ? [item] : refs(item),
  );
}

function resolves(document: OpenApiDocument, ref: string): boolean {
  const [, , kind, name] = ref.split('/');
  return document.components[kind as string]?.[name as string] !== undefined;
}

describe(buildFrontendDocument.name, () => {
  it('should keep the paths under each section prefix, in order, and leave operational ones out', () => {
    const sut = buildFrontendDocument(parts(), INFO, ROUTES);
    expect(Object.keys(sut.paths)).toEqual(['/auth/me', '/stations/{station}/search', '/stations/conformance']);
    expect(sut.info).toEqual(INFO);
    expect(sut.openapi).toBe('3.0.0');
  });

  it('should keep tags of a section without prefix, rename or prefix the others, and list them in order', () => {
    const sut = buildFrontendDocument(parts(), INFO, ROUTES);
    expect(sut.paths['/auth/me']?.['get']).toMatchObject({ tags: ['API Key Manager'], summary: 'Show My Information' });
    expect(sut.paths['/stations/{station}/search']?.['get']).toMatchObject({ tags: ['ADGS stations'] });
    expect(sut.paths['/stations/conformance']?.['get']).toMatchObject({ tags: ['Stations Other'] });
    expect(sut.tags).toEqual([{ name: 'API Key Manager' }, { name: 'ADGS stations' }, { name: 'Stations Other' }]);
  });

  it('should namespace components and operation ids so that two services with the same DTO name never collide', () => {
    const sut = buildFrontendDocument(parts(), INFO, ROUTES);
    expect(Object.keys(sut.components['schemas'] ?? {}).sort()).toEqual([
      'Keys.ErrorResponseDto',
      'Keys.MeDto',
      'Stations.ErrorResponseDto',
      'Stations.FeatureCollectionDto',
      'Stations.ItemDto',
    ]);
    expect(sut.components['schemas']?.['Stations.ErrorResponseDto']).toEqual(
      (stationsDocument() as OpenApiDocument).components['schemas']?.['ErrorResponseDto'],
    );
    expect(sut.components['parameters']).toEqual({ 'Stations.Station': expect.objectContaining({ name: 'station' }) });
    expect(sut.paths['/stations/{station}/search']?.['get']).toMatchObject({
      operationId: 'Stations_StationsController_search',
    });
    expect(refs(sut).every((ref) => resolves(sut, ref))).toBe(true);
    expect(refs(sut)).toContain('#/components/schemas/Stations.ItemDto');
  });

  it('should point response links at the namespaced operation ids', () => {
    const sut = buildFrontendDocument(parts(), INFO, ROUTES);
    const me = sut.paths['/auth/me']?.['get'] as { operationId: string; responses: Record<string, object> };
    expect(me.responses['200']).toMatchObject({ links: { Self: { operationId: me.operationId } } });
    expect(me.operationId).toBe('Keys_MeController_me');
  });

  it('should share security schemes by name, the first definition winning, and keep each operation lock', () => {
    const sut = buildFrontendDocument(parts(), INFO, ROUTES);
    expect(sut.components['securitySchemes']).toEqual({ keycloak, 'api-key': apiKey });
    expect(sut.paths['/stations/{station}/search']?.['get']).toMatchObject({
      security: [{ 'api-key': [] }, { keycloak: ['openid'] }],
    });
    expect(sut.paths['/auth/me']?.['get']).toMatchObject({ security: [{ keycloak: ['openid'] }] });
  });

  it('should not modify the documents it is given', () => {
    const given = parts();
    const before = JSON.stringify(given);
    buildFrontendDocument(given, INFO, ROUTES);
    expect(JSON.stringify(given)).toBe(before);
  });

  it('should apply a document-wide security requirement to its operations', () => {
    const document = { ...(stationsDocument() as OpenApiDocument), security: [{ 'api-key': [] }] };
    delete (document.paths['/stations/{station}/search']?.['get'] as { security?: unknown }).security;
    const sut = buildFrontendDocument([{ section: STATIONS, document }], INFO, ROUTES);
    expect(sut.paths['/stations/{station}/search']?.['get']).toMatchObject({ security: [{ 'api-key': [] }] });
  });

  it('should fail naming the path when the frontend routes it to another app', () => {
    expect(() =>
      buildFrontendDocument(
        [{ section: { ...STATIONS, paths: ['/stations', '/auth'] }, document: keysDocument() }],
        INFO,
        ROUTES,
      ),
    ).toThrow(new FrontendDocumentError("stations's OpenAPI document has /auth/me, which the frontend routes to keys"));
  });

  it('should fail when two services document the same path', () => {
    const twice: FrontendPart[] = [
      ...parts(),
      { section: { ...STATIONS, namespace: 'Again' }, document: stationsDocument() },
    ];
    expect(() => buildFrontendDocument(twice, INFO, ROUTES)).toThrow(
      '/stations/{station}/search is in the documents of both stations and stations',
    );
  });

  it('should fail on a reference to a component the document lacks', () => {
    const document = stationsDocument() as OpenApiDocument;
    delete document.components['schemas']?.['ItemDto'];
    expect(() => buildFrontendDocument([{ section: STATIONS, document }], INFO, ROUTES)).toThrow(
      "stations's OpenAPI document refers to #/components/schemas/ItemDto, which it lacks",
    );
  });

  it('should fail when a scheme of the same name is of another kind', () => {
    const document = stationsDocument() as OpenApiDocument;
    (document.components['securitySchemes'] as Record<string, unknown>)['keycloak'] = apiKey;
    expect(() =>
      buildFrontendDocument(
        [
          { section: KEYS, document: keysDocument() },
          { section: STATIONS, document },
        ],
        INFO,
        ROUTES,
      ),
    ).toThrow('defines security scheme keycloak unlike the documents before it');
  });

  it('should fail on something that is not an OpenAPI 3 document', () => {
    expect(() => buildFrontendDocument([{ section: KEYS, document: { swagger: '2.0' } }], INFO, ROUTES)).toThrow(
      "keys's OpenAPI document is not an OpenAPI 3 document",
    );
  });
});

describe(frontendSectionOf.name, () => {
  it('should find the section whose prefixes hold the document paths', () => {
    expect(frontendSectionOf(stationsDocument(), [KEYS, STATIONS])).toBe(STATIONS);
  });

  it('should answer undefined for a document of no section', () => {
    expect(frontendSectionOf({ paths: { '/other': {} } }, [KEYS, STATIONS])).toBeUndefined();
  });
});

describe('the frontend of the committed service documents', () => {
  const specs = path.resolve(__dirname, '..', '..', '..', '..', 'docs', 'openapi');
  const read = (app: string): OpenApiDocument => JSON.parse(fs.readFileSync(path.join(specs, `${app}.json`), 'utf8'));
  const services = FRONTEND_SECTIONS.map((section) => ({ section, document: read(section.app) }));
  const sut = buildFrontendDocument(services, INFO);
  const operations = (document: OpenApiDocument) =>
    Object.entries(document.paths).flatMap(([route, item]) =>
      Object.entries(item)
        .filter(([method]) => method !== 'parameters')
        .map(([method, operation]) => ({ route, method, ...(operation as { tags: string[]; security?: object[] }) })),
    );

  it('should show every operation of the four services but their /health', () => {
    const expected = services.flatMap(({ document }) =>
      operations(document)
        .filter(({ route }) => !route.startsWith('/health'))
        .map(({ route, method }) => `${method} ${route}`),
    );
    expect(operations(sut).map(({ route, method }) => `${method} ${route}`)).toEqual(expected);
  });

  it("should keep the key manager's tag names and give each service its RS-Server section", () => {
    expect(sut.tags.map(({ name }) => name)).toEqual([
      'API Key Manager',
      'API Key Administration',
      'API Key Check',
      'ADGS stations',
      'CADIP stations',
      'Catalog',
    ]);
  });

  it('should show the API key lock on every Auxip, Cadip and catalog operation, Keycloak on every guarded one', () => {
    const guarded = operations(sut).filter(({ route }) => !route.startsWith('/auth'));
    expect(guarded.length).toBeGreaterThan(10);
    for (const operation of guarded)
      expect(operation.security).toEqual(expect.arrayContaining([{ 'api-key': [] }, { keycloak: ['openid'] }]));
    expect(Object.keys(sut.components['securitySchemes'] ?? {}).sort()).toEqual(['api-key', 'keycloak']);
  });

  it('should resolve every reference', () => {
    expect(refs(sut).filter((ref) => !resolves(sut, ref))).toEqual([]);
  });
});
