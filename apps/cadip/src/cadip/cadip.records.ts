/** A downlink session as the station reports it. */
export interface SessionRecord {
  id: string;
  station: string;
  /** Short name, e.g. S1A. */
  platform: string;
  downlinkOrbit: number;
  start: Date;
  end: Date;
  published: Date;
  antennaId: string;
  numChannels: number;
  antennaStatusOk: boolean;
  frontEndStatusOk: boolean;
  downlinkStatusOk: boolean;
  deliveryPushOk: boolean;
}

/** One CADU chunk file of a session. */
export interface CaduRecord {
  /** File name, unique per station. */
  id: string;
  uuid: string;
  station: string;
  sessionId: string;
  channel: number;
  blockNumber: number;
  finalBlock: boolean;
  size: number;
  published: Date;
  eviction: Date;
}
