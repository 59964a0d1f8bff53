/** How one service appears in the aggregated document. */
export interface FrontendSection {
  /** The app whose OpenAPI document this section shows (a value of FRONTEND_ROUTES). */
  app: string;
  /** Prefix of its component names (`Auxip.StacItemResponseDto`) and operation ids. */
  namespace: string;
  /** Path prefixes of the operations it shows; its operational endpoints (/health) stay out. */
  paths: string[];
  /** Tags renamed as RS-Server's frontend names them; other tags get `tagPrefix` in front. */
  tags?: Record<string, string>;
  /** Put before tags `tags` does not rename; none keeps them as they are (the key manager's seed names). */
  tagPrefix?: string;
  /** Tags (as shown) that come first in the section, in this order; the others follow as they appear. */
  tagOrder?: string[];
}

/** The frontend's sections, in display order: the key manager first, then the guarded services. */
export const FRONTEND_SECTIONS: readonly FrontendSection[] = [
  {
    app: 'key-manager',
    namespace: 'KeyManager',
    paths: ['/auth'],
    tagOrder: ['API Key Manager', 'API Key Administration', 'API Key Check'],
  },
  { app: 'auxip', namespace: 'Auxip', paths: ['/auxip'], tags: { Auxip: 'ADGS stations' }, tagPrefix: 'Auxip' },
  { app: 'cadip', namespace: 'Cadip', paths: ['/cadip'], tags: { Cadip: 'CADIP stations' }, tagPrefix: 'Cadip' },
  {
    app: 'catalog',
    namespace: 'Catalog',
    paths: ['/catalog'],
    tags: { 'STAC catalog': 'Catalog' },
    tagPrefix: 'Catalog',
  },
];

/** A tag's name in the aggregated document. */
export function frontendTagName(section: FrontendSection, tag: string): string {
  const renamed = section.tags?.[tag];
  if (renamed) return renamed;
  return section.tagPrefix ? `${section.tagPrefix} ${tag}` : tag;
}

/** Title and how-to of the aggregated document (served by the key manager, committed as docs/openapi/frontend.json). */
export const FRONTEND_INFO = {
  title: 'RS-Server',
  description:
    'Every RS-Server service on one origin: the API Key Manager, Auxip (ADGS stations), Cadip (CADIP stations) ' +
    'and the STAC catalog, each a section below.\n\n' +
    '1. Click **Authorize**, then **Authorize** under *keycloak*, and log in with your RS-Server Keycloak account.\n' +
    '2. In **API Key Manager**, expand **Create Api Key**, click **Try it out**, give a `name`, then **Execute**; ' +
    'copy the key from the response body: it is shown only once.\n' +
    '3. Click **Authorize** again and paste the key under *api-key*: every Auxip, Cadip and catalog operation ' +
    '(their lock icon) sends it in `x-api-key`.\n\n' +
    'While a key is authorized, the services receive the key alone; without one they receive your Keycloak login. ' +
    'The key manager always receives your Keycloak login: keys cannot manage keys.',
  version: '1.0',
} as const;
