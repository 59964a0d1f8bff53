import { hasApiKeyParameter, REDACTED, redactApiKeysFromUrl } from './url-redaction.util';

const KEY = 'rsk_3xAmPl3k3yV4lu3000000000000000Ab12Cd';

describe('url redaction', () => {
  describe(hasApiKeyParameter.name, () => {
    it.each(['api-key=x', 'a=1&api-key=x', 'api%2Dkey=x', 'api%2dkey=x', '%61pi-key=x', 'API-KEY=x'])(
      'should find the api-key parameter in %s',
      (query) => {
        expect(hasApiKeyParameter(query)).toBe(true);
      },
    );

    it.each(['', 'a=1', 'x-api-key=x', 'api-keys=x', 'name=api-key', 'api-key'])(
      'should not find it in %s',
      (query) => {
        expect(hasApiKeyParameter(query)).toBe(false);
      },
    );
  });

  describe(redactApiKeysFromUrl.name, () => {
    it('should redact the value of api-key whether or not its name is percent-encoded, keeping the rest', () => {
      expect(redactApiKeysFromUrl(`/auth/check_key?api-key=${KEY}&a=b%2Cc`)).toBe(
        `/auth/check_key?api-key=${REDACTED}&a=b%2Cc`,
      );
      expect(redactApiKeysFromUrl(`/auth/check_key?a=1&api%2Dkey=${KEY}`)).toBe(
        `/auth/check_key?a=1&api%2Dkey=${REDACTED}`,
      );
      expect(redactApiKeysFromUrl(`/x?api%2dkey=${KEY}&api-key=${KEY}`)).not.toContain(KEY);
    });

    it('should redact a /k/<key>/ path prefix', () => {
      expect(redactApiKeysFromUrl(`/k/${KEY}/auth/check_key?x=1`)).toBe(`/k/${REDACTED}/auth/check_key?x=1`);
    });

    it('should leave URLs without a key unchanged', () => {
      expect(redactApiKeysFromUrl('/catalog/search?collections=a%2Cb&limit=5')).toBe(
        '/catalog/search?collections=a%2Cb&limit=5',
      );
      expect(redactApiKeysFromUrl('/health')).toBe('/health');
    });
  });
});
