/** Ground stations served by this facsimile (RS-Server's Cadip stations). */
export const CADIP_STATIONS = ['INS', 'MTI', 'SGS', 'MPS'] as const;
export type CadipStation = (typeof CADIP_STATIONS)[number];

/** Platform short names accepted by `platform=` and their STAC `platform` value. */
export const PLATFORMS: Record<string, string> = {
  S1A: 'sentinel-1a',
  S1C: 'sentinel-1c',
  S2A: 'sentinel-2a',
  S2B: 'sentinel-2b',
  S3A: 'sentinel-3a',
  S3B: 'sentinel-3b',
};

export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 100;

/** What `sortby` of the CADU search may name: STAC properties of the chunk items. */
export const CADU_SORT_FIELDS = [
  'datetime',
  'created',
  'cadip:block_number',
  'cadip:channel',
  'cadip:session_id',
  'file:size',
] as const;

/** `platform` of the session search: known platforms (any case), comma-separated. */
export const PLATFORM_LIST_PATTERN = (() => {
  const platform = `(${Object.keys(PLATFORMS)
    .map((name) =>
      [...name].map((char) => (/[A-Za-z]/.test(char) ? `[${char.toUpperCase()}${char.toLowerCase()}]` : char)).join(''),
    )
    .join('|')})`;
  return `^${platform}(,${platform})*$`;
})();
