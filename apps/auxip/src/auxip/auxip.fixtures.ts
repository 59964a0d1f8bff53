import type { AuxFileRecord } from './auxip.records';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const FIRST_DAY = Date.UTC(2024, 0, 1);
const DAYS = 14;

interface ProductKind {
  platform: string;
  productType: string;
  /** Files per day and how long each is valid. */
  perDay: number;
  validityMs: number;
  /** Shift of the validity start before the day (POEORB files start the day before). */
  leadMs: number;
  centre: string;
  extension: string;
  size: [number, number];
}

const KINDS: ProductKind[] = [
  {
    platform: 'S1A',
    productType: 'AUX_POEORB',
    perDay: 1,
    validityMs: 26 * HOUR_MS,
    leadMs: HOUR_MS,
    centre: 'OPOD',
    extension: 'EOF',
    size: [4_000_000, 4_500_000],
  },
  {
    platform: 'S1A',
    productType: 'AUX_RESORB',
    perDay: 8,
    validityMs: 3 * HOUR_MS + 20 * 60_000,
    leadMs: 10 * 60_000,
    centre: 'OPOD',
    extension: 'EOF',
    size: [500_000, 600_000],
  },
  {
    platform: 'S1C',
    productType: 'AUX_PREORB',
    perDay: 2,
    validityMs: 14 * HOUR_MS,
    leadMs: 0,
    centre: 'OPOD',
    extension: 'EOF',
    size: [700_000, 800_000],
  },
  {
    platform: 'S2_',
    productType: 'AUX_ECMWFD',
    perDay: 1,
    validityMs: DAY_MS,
    leadMs: 0,
    centre: 'ADG_',
    extension: 'TGZ',
    size: [90_000_000, 120_000_000],
  },
  {
    platform: 'S2_',
    productType: 'AUX_UT1UTC',
    perDay: 1,
    validityMs: 365 * DAY_MS,
    leadMs: 0,
    centre: 'ADG_',
    extension: 'TGZ',
    size: [20_000, 30_000],
  },
  {
    platform: 'S3_',
    productType: 'AX___FRO_AX',
    perDay: 1,
    validityMs: 2 * DAY_MS,
    leadMs: DAY_MS / 2,
    centre: 'POD_',
    extension: 'SEN3',
    size: [1_000_000, 2_000_000],
  },
];

function compactTime(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').slice(0, 15);
}

/** Deterministic "random" in [0, 1) from a number, so fixtures are the same on every start. */
function noise(seed: number): number {
  const x = Math.sin(seed * 12.9898) * 43758.5453;
  return x - Math.floor(x);
}

function uuidFrom(seed: number): string {
  const hex = Array.from({ length: 32 }, (_, index) => Math.floor(noise(seed * 31 + index) * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/** Two weeks (from 2024-01-01) of orbit, meteo and time-correlation files named like the real ones. */
export function buildAuxipFixtures(station: string): AuxFileRecord[] {
  const files: AuxFileRecord[] = [];
  let seed = 1;
  for (let day = 0; day < DAYS; day++) {
    for (const kind of KINDS) {
      for (let index = 0; index < kind.perDay; index++) {
        seed++;
        const validityStart = new Date(FIRST_DAY + day * DAY_MS + (index * DAY_MS) / kind.perDay - kind.leadMs);
        const validityEnd = new Date(validityStart.getTime() + kind.validityMs);
        const created = new Date(
          validityStart.getTime() +
            (kind.perDay > 1 ? 4 * HOUR_MS : 20 * DAY_MS) +
            Math.floor(noise(seed) * 3600) * 1000,
        );
        const [min, max] = kind.size;
        files.push({
          name: `${kind.platform}_OPER_${kind.productType}_${kind.centre}_${compactTime(created)}_V${compactTime(validityStart)}_${compactTime(validityEnd)}.${kind.extension}`,
          uuid: uuidFrom(seed),
          station,
          platform: kind.platform,
          productType: kind.productType,
          validityStart,
          validityEnd,
          created,
          size: min + Math.floor(noise(seed + 0.5) * (max - min)),
        });
      }
    }
  }
  return files;
}
