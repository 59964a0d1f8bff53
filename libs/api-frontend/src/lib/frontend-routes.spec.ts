import fs from 'node:fs';
import path from 'node:path';
import { appOfPath, FRONTEND_ROUTES, isUnderPrefix } from './frontend-routes';

describe('frontend routes', () => {
  describe(isUnderPrefix.name, () => {
    it.each([
      ['/auxip', '/auxip', true],
      ['/auxip/search', '/auxip', true],
      ['/auxip?x=1', '/auxip', true],
      ['/auxiparchive', '/auxip', false],
      ['/k/rsk_x/auxip/search', '/auxip', false],
      ['/anything', '/', true],
    ])('should say %s under %s is %s', (path, prefix, expected) => {
      expect(isUnderPrefix(path, prefix)).toBe(expected);
    });
  });

  describe(appOfPath.name, () => {
    it.each([
      ['/auxip/search', 'auxip'],
      ['/cadip/INS/session', 'cadip'],
      ['/catalog/collections', 'catalog'],
      ['/auth/api_key/new', 'key-manager'],
      ['/', 'key-manager'],
      ['/docs/oauth2-redirect.html', 'key-manager'],
      ['/catalogue', 'key-manager'],
    ])('should send %s to %s', (path, app) => {
      expect(appOfPath(path)).toBe(app);
    });

    it('should pick the longest prefix whatever the table order', () => {
      expect(appOfPath('/a/b/c', { '/': 'root', '/a/b': 'deep', '/a': 'shallow' })).toBe('deep');
    });

    it('should answer undefined when no prefix matches', () => {
      expect(appOfPath('/x', { '/a': 'a' })).toBeUndefined();
    });
  });

  it('should route the root to the key manager, which serves the portal and the frontend', () => {
    expect(FRONTEND_ROUTES['/']).toBe('key-manager');
  });
});

describe("the Helm chart's ingress", () => {
  it('should route the key manager host as the frontend routes (same prefixes, same apps)', () => {
    const template = fs.readFileSync(
      path.resolve(__dirname, '../../../../deploy/helm/rs-platform/templates/ingress.yaml'),
      'utf8',
    );
    const listed = /\$frontendRoutes := list (.+) \}\}/.exec(template)?.[1] ?? '';
    const routes = [...listed.matchAll(/\(list "([^"]+)" "([^"]+)"\)/g)].map(([, prefix, app]) => [prefix, app]);
    expect(Object.fromEntries(routes)).toEqual(
      Object.fromEntries(Object.entries(FRONTEND_ROUTES).filter(([prefix]) => prefix !== '/')),
    );
  });
});
