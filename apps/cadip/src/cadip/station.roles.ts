import { type RoleResolver, rolesByParameter } from '@rs/auth-guard';
import { DomainErrorCode } from '@rs/key-domain';
import { cadipRole, type StationAccess } from '@rs/rs-roles';
import { knownValue } from '@rs/service-kit';
import { CADIP_STATIONS } from './cadip.constants';

/** The station of a route parameter in canonical (upper) case; 404 naming the known ones otherwise. */
export const knownStation = knownValue('Cadip station', CADIP_STATIONS, DomainErrorCode.STATION_NOT_FOUND);

/** @RequireRoles resolver: `rs_cadip_<station>_<access>` for the `:station` of the route (once per spelling). */
export function stationRole(access: StationAccess): RoleResolver {
  return rolesByParameter('station', (station) => [cadipRole(knownStation(station), access)]);
}
