import { NotFoundException } from '@nestjs/common';
import { type RoleResolver, rolesByParameter } from '@rs/auth-guard';
import { auxipRole, type StationAccess } from '@rs/rs-roles';
import { AUXIP_STATIONS, type AuxipStation } from './auxip.constants';

/** The station of a route parameter in canonical (upper) case; 404 naming the known ones otherwise. */
export function knownStation(raw: string | undefined): AuxipStation {
  const station = (raw ?? '').toUpperCase();
  if (!(AUXIP_STATIONS as readonly string[]).includes(station)) {
    throw new NotFoundException({
      code: 'STATION_NOT_FOUND',
      message: `Unknown Auxip station '${(raw ?? '').slice(0, 20)}': use one of ${AUXIP_STATIONS.join(', ')}`,
    });
  }
  return station as AuxipStation;
}

/** @RequireRoles resolver: `rs_auxip_<station>_<access>` for the `:station` of the route (once per spelling). */
export function stationRole(access: StationAccess): RoleResolver {
  return rolesByParameter('station', (station) => [auxipRole(knownStation(station), access)]);
}
