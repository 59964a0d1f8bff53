import { Injectable } from '@nestjs/common';
import { AUXIP_STATIONS } from './auxip.constants';
import { buildAuxipFixtures } from './auxip.fixtures';
import type { AuxFileRecord } from './auxip.records';

/** The only class that knows where auxiliary files come from: in-memory sample fixtures here. */
@Injectable()
export class AuxipRepository {
  private readonly filesByStation = new Map<string, AuxFileRecord[]>(
    AUXIP_STATIONS.map((station) => [station, buildAuxipFixtures(station)]),
  );

  files(station: string): readonly AuxFileRecord[] {
    return this.filesByStation.get(station) ?? [];
  }

  file(station: string, name: string): AuxFileRecord | undefined {
    return this.files(station).find((file) => file.name === name);
  }
}
