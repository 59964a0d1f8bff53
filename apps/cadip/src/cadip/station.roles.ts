import { NotFoundException } from '@nestjs/common';
import { type RoleResolver, rolesByParameter } from '@rs/auth-guard';
import { cadipRole, type StationAccess } from '@rs/rs-roles';
import { CADIP_STATIONS, type CadipStation } from './cadip.constants';

/** The station of a route parameter in canonical (upper) case; 404 naming the known ones otherwise. */
export function knownStation(raw: string | undefined): CadipStation {
  const station = (raw ?? '').toUpperCase();
  if (!(CADIP_STATIONS as readonly string[]).includes(station)) {
    throw new NotFoundException({
      code: 'STATION_NOT_FOUND',
      message: `Unknown Cadip station '${(raw ?? '').slice(0, 20)}': use one of ${CADIP_STATIONS.join(', ')}`,
    });
  }
  return station as CadipStation;
}

/** @RequireRoles resolver: `rs_cadip_<station>_<access>` for the `:station` of the route (once per spelling). */
export function stationRole(access: StationAccess): RoleResolver {
  return rolesByParameter('station', (station) => [cadipRole(knownStation(station), access)]);
}
