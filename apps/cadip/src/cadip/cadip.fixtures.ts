import { PLATFORMS } from './cadip.constants';
import type { CaduRecord, SessionRecord } from './cadip.records';

const HOUR_MS = 3_600_000;
const SESSIONS_PER_STATION = 28;
const BLOCKS_PER_CHANNEL = 3;
const FIRST_SESSION = Date.UTC(2024, 0, 1, 1, 0, 0);
const ANTENNAS: Record<string, string[]> = {
  INS: ['INS-A1', 'INS-A2'],
  MTI: ['MTI-21'],
  SGS: ['SGS-S1', 'SGS-S2'],
  MPS: ['MPS-01'],
};

/** Small deterministic PRNG (mulberry32): the same sample data on every start and in every test. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function compactTime(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').slice(0, 15);
}

function uuidFrom(next: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/** Sample sessions (one every 6 hours from 2024-01-01) and their CADU chunks (2 channels × 3 blocks). */
export function buildCadipFixtures(station: string): { sessions: SessionRecord[]; cadus: CaduRecord[] } {
  const next = random([...station].reduce((sum, char) => sum * 31 + char.charCodeAt(0), 7));
  const platforms = Object.keys(PLATFORMS);
  const antennas = ANTENNAS[station] ?? [`${station}-01`];
  const sessions: SessionRecord[] = [];
  const cadus: CaduRecord[] = [];
  for (let index = 0; index < SESSIONS_PER_STATION; index++) {
    const platform = platforms[Math.floor(next() * platforms.length)] as string;
    const start = new Date(FIRST_SESSION + index * 6 * HOUR_MS + Math.floor(next() * 60) * 60_000);
    const end = new Date(start.getTime() + (8 + Math.floor(next() * 8)) * 60_000);
    const downlinkOrbit = 51_000 + index * 4 + Math.floor(next() * 4);
    const session: SessionRecord = {
      id: `${platform}_${compactTime(start)}${String(downlinkOrbit).padStart(6, '0')}`,
      station,
      platform,
      downlinkOrbit,
      start,
      end,
      published: new Date(end.getTime() + 5 * 60_000),
      antennaId: antennas[index % antennas.length] as string,
      numChannels: 2,
      antennaStatusOk: next() > 0.05,
      frontEndStatusOk: true,
      downlinkStatusOk: next() > 0.05,
      deliveryPushOk: true,
    };
    sessions.push(session);
    for (let channel = 1; channel <= session.numChannels; channel++) {
      for (let block = 1; block <= BLOCKS_PER_CHANNEL; block++) {
        const published = new Date(start.getTime() + block * 3 * 60_000 + channel * 1000);
        cadus.push({
          id: `DCS_${String(channel).padStart(2, '0')}_${session.id}_ch${channel}_DSDB_${String(block).padStart(5, '0')}.raw`,
          uuid: uuidFrom(next),
          station,
          sessionId: session.id,
          channel,
          blockNumber: block,
          finalBlock: block === BLOCKS_PER_CHANNEL,
          size: 200_000_000 + Math.floor(next() * 1_800_000_000),
          published,
          eviction: new Date(published.getTime() + 30 * 24 * HOUR_MS),
        });
      }
    }
  }
  return { sessions, cadus };
}
