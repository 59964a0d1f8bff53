/** One auxiliary file (orbit, meteo, time-correlation data...) as the station lists it. */
export interface AuxFileRecord {
  /** File name, unique per station. */
  name: string;
  uuid: string;
  station: string;
  /** Short name, e.g. S1A; `S2_` for files valid for a whole constellation. */
  platform: string;
  productType: string;
  validityStart: Date;
  validityEnd: Date;
  created: Date;
  size: number;
}
