export const DEFAULT_ITEM_LIMIT = 10;
export const MAX_ITEM_LIMIT = 1000;
export const MAX_OFFSET = 100_000;

/** STAC API conformance classes this catalog implements. */
export const CONFORMANCE_CLASSES = [
  'https://api.stacspec.org/v1.0.0/core',
  'https://api.stacspec.org/v1.0.0/collections',
  'https://api.stacspec.org/v1.0.0/ogcapi-features',
  'https://api.stacspec.org/v1.0.0/item-search',
  'https://api.stacspec.org/v1.0.0/ogcapi-features/extensions/transaction',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
];
