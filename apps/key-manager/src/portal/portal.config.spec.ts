import { EnvValidationError } from '@rs/service-kit';
import { loadPortalServices } from './portal.config';

describe(loadPortalServices.name, () => {
  it('should list the npm start services in order when PORTAL_SERVICES is unset', () => {
    expect(loadPortalServices({})).toEqual([
      { title: 'Auxip (ADGS auxiliary files)', url: 'http://127.0.0.1:3001/docs' },
      { title: 'Cadip (CADU sessions)', url: 'http://127.0.0.1:3002/docs' },
      { title: 'STAC catalog', url: 'http://127.0.0.1:3003/docs' },
    ]);
  });

  it('should keep the order and URLs of PORTAL_SERVICES, query strings included', () => {
    expect(loadPortalServices({ PORTAL_SERVICES: 'Catalog=https://rs.example/catalog/docs/, Cadip=https://rs.example/cadip/docs?x=1' })).toEqual([
      { title: 'Catalog', url: 'https://rs.example/catalog/docs' },
      { title: 'Cadip', url: 'https://rs.example/cadip/docs?x=1' },
    ]);
  });

  it.each([['no title', '=http://x/docs'], ['no URL', 'Cadip'], ['not a URL', 'Cadip=ftp://x']])('should fail at boot naming the entry when it has %s', (_label, entry) => {
    expect(() => loadPortalServices({ PORTAL_SERVICES: entry })).toThrow(EnvValidationError);
    expect(() => loadPortalServices({ PORTAL_SERVICES: entry })).toThrow(`PORTAL_SERVICES entry '${entry}'`);
  });
});
