import { EnvValidationError, readEnv } from '@rs/service-kit';
import { PORTAL_ENV } from './portal.config';

describe('PORTAL_SERVICES', () => {
  const load = (source: NodeJS.ProcessEnv) => readEnv(PORTAL_ENV, source).PORTAL_SERVICES;

  it('should list the npm start services in order when PORTAL_SERVICES is unset', () => {
    expect(load({})).toEqual([
      { title: 'Auxip (ADGS auxiliary files)', url: 'http://127.0.0.1:3001/docs' },
      { title: 'Cadip (CADU sessions)', url: 'http://127.0.0.1:3002/docs' },
      { title: 'STAC catalog', url: 'http://127.0.0.1:3003/docs' },
    ]);
  });

  it('should keep the order and URLs of PORTAL_SERVICES, query strings included', () => {
    expect(
      load({ PORTAL_SERVICES: 'Catalog=https://rs.example/catalog/docs/, Cadip=https://rs.example/cadip/docs?x=1' }),
    ).toEqual([
      { title: 'Catalog', url: 'https://rs.example/catalog/docs' },
      { title: 'Cadip', url: 'https://rs.example/cadip/docs?x=1' },
    ]);
  });

  it.each([
    ['no title', '=http://x/docs'],
    ['no URL', 'Cadip'],
    ['not a URL', 'Cadip=ftp://x'],
  ])('should fail at boot naming the entry when it has %s', (_label, entry) => {
    expect(() => load({ PORTAL_SERVICES: entry })).toThrow(EnvValidationError);
    expect(() => load({ PORTAL_SERVICES: entry })).toThrow(`PORTAL_SERVICES: entry '${entry}'`);
  });
});

describe('FRONTEND_URL', () => {
  const load = (source: NodeJS.ProcessEnv) => readEnv(PORTAL_ENV, source).FRONTEND_URL;

  it('should be unset by default: the key manager origin is the frontend', () => {
    expect(load({})).toBeUndefined();
  });

  it('should drop a trailing slash and refuse what is not a URL', () => {
    expect(load({ FRONTEND_URL: 'http://127.0.0.1:3080/' })).toBe('http://127.0.0.1:3080');
    expect(() => load({ FRONTEND_URL: 'not a url' })).toThrow('FRONTEND_URL must be a URL');
  });
});

describe('FRONTEND_SPEC_URLS', () => {
  const load = (source: NodeJS.ProcessEnv) => readEnv(PORTAL_ENV, source).FRONTEND_SPEC_URLS;

  it('should be empty by default: the documents are read next to the PORTAL_SERVICES Swagger UIs', () => {
    expect(load({})).toEqual([]);
  });

  it('should keep the listed URLs and name those that are not http(s)', () => {
    expect(load({ FRONTEND_SPEC_URLS: 'http://a:1/docs-json, http://b:2/docs-json' })).toEqual([
      'http://a:1/docs-json',
      'http://b:2/docs-json',
    ]);
    expect(() => load({ FRONTEND_SPEC_URLS: 'http://a:1/x,ftp://b' })).toThrow('not http(s) URLs: ftp://b');
  });
});
