import type { AuthPrincipal } from '../auth-principal';
import { rolesByParameter } from './require-roles.decorator';

function principal(): AuthPrincipal {
  return { user_id: 'u-1', user_login: 'alice', iam_roles: [], config: {}, auth_method: 'oauth2' };
}

const stationRead = (station: string) => `rs_cadip_${station.toLowerCase()}_read`;

describe('require-roles.decorator', () => {
  describe(rolesByParameter.name, () => {
    it('should compute the roles of each distinct parameter value once, and not remember a value it refused', () => {
      const rolesOf = jest.fn((station: string | undefined) => {
        if (station !== 'INS' && station !== 'ins') throw new Error(`unknown station ${station}`);
        return [stationRead(station)];
      });
      const resolve = rolesByParameter('station', rolesOf);
      const caller = principal();
      expect(resolve({ station: 'INS' }, caller)).toEqual(['rs_cadip_ins_read']);
      expect(resolve({ station: 'INS' }, caller)).toBe(resolve({ station: 'INS' }, caller));
      expect(resolve({ station: 'ins' }, caller)).toEqual(['rs_cadip_ins_read']);
      expect(() => resolve({ station: 'XYZ' }, caller)).toThrow('unknown station XYZ');
      expect(() => resolve({ station: 'XYZ' }, caller)).toThrow('unknown station XYZ');
      expect(() => resolve({}, caller)).toThrow('unknown station undefined');
      expect(rolesOf.mock.calls.map(([station]) => station)).toEqual(['INS', 'ins', 'XYZ', 'XYZ', undefined]);
    });
  });
});
