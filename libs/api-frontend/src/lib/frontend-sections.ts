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
