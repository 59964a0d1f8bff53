/** Stations serving auxiliary files (RS-Server's ADGS); `/auxip/search` searches the default one. */
export const AUXIP_STATIONS = ['ADGS'] as const;
export type AuxipStation = (typeof AUXIP_STATIONS)[number];
export const DEFAULT_AUXIP_STATION: AuxipStation = 'ADGS';

export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 100;

/** What `sortby` may name: STAC properties of the file items. */
export const AUXIP_SORT_FIELDS = [
  'datetime',
  'start_datetime',
  'end_datetime',
  'created',
  'product:type',
  'file:size',
] as const;
