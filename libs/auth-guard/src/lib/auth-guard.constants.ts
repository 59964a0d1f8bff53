/** Header and query parameter names of the API key (RS-Server compatible). */
export const API_KEY_HEADER = 'x-api-key';
export const API_KEY_QUERY_PARAMETER = 'api-key';
/** `/k/<key>/rest/of/path`: for clients that can set neither headers nor query parameters (GDAL, QGIS). */
export const API_KEY_PATH_PREFIX = '/k/';

export const REQUIRE_ROLES_KEY = 'rs:requireRoles';
export const BEARER_ONLY_KEY = 'rs:bearerOnly';

/** Injection tokens. */
export const AUTH_KAFKA = Symbol('AUTH_KAFKA');
export const AUTH_METRICS_REGISTRY = Symbol('AUTH_METRICS_REGISTRY');
