import { Injectable } from '@nestjs/common';
import { CADIP_STATIONS } from './cadip.constants';
import { buildCadipFixtures } from './cadip.fixtures';
import type { CaduRecord, SessionRecord } from './cadip.records';

/** The only class that knows where sessions and CADUs come from: in-memory sample fixtures here. */
@Injectable()
export class CadipRepository {
  private readonly sessionsByStation = new Map<string, SessionRecord[]>();
  private readonly cadusByStation = new Map<string, CaduRecord[]>();

  constructor() {
    for (const station of CADIP_STATIONS) {
      const { sessions, cadus } = buildCadipFixtures(station);
      this.sessionsByStation.set(station, sessions);
      this.cadusByStation.set(station, cadus);
    }
  }

  sessions(station: string): readonly SessionRecord[] {
    return this.sessionsByStation.get(station) ?? [];
  }

  cadus(station: string): readonly CaduRecord[] {
    return this.cadusByStation.get(station) ?? [];
  }

  cadu(station: string, id: string): CaduRecord | undefined {
    return this.cadus(station).find((cadu) => cadu.id === id);
  }
}
