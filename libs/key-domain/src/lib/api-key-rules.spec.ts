import {
  assertKeyUsable,
  DEFAULT_KEY_LIFETIME_DAYS,
  expirationFrom,
  isExpired,
  isUsable,
  mergeConfig,
  parseExpirationDate,
  parseKeyConfig,
  parseKeyName,
  type KeyState,
} from './api-key-rules';
import { DomainErrorCode } from './domain-error';
import { thrownDomainError } from './testing/domain-error.test-helper';

const NOW = new Date('2026-01-10T12:00:00Z');

function keyState(overrides: Partial<KeyState> = {}): KeyState {
  return {
    is_active: true,
    user_active: true,
    never_expire: false,
    expiration_date: expirationFrom(NOW),
    ...overrides,
  };
}

describe('api key rules', () => {
  describe(expirationFrom.name, () => {
    it('should default to 15 days', () => {
      expect(DEFAULT_KEY_LIFETIME_DAYS).toBe(15);
      expect(expirationFrom(NOW).toISOString()).toBe('2026-01-25T12:00:00.000Z');
    });
  });

  describe(isExpired.name, () => {
    it('should be expired at or after the expiration date unless the key never expires', () => {
      const past = new Date(NOW.getTime() - 1);
      expect(isExpired({ never_expire: false, expiration_date: past }, NOW)).toBe(true);
      expect(isExpired({ never_expire: false, expiration_date: NOW }, NOW)).toBe(true);
      expect(isExpired({ never_expire: true, expiration_date: past }, NOW)).toBe(false);
      expect(isExpired({ never_expire: false, expiration_date: expirationFrom(NOW, 1) }, NOW)).toBe(false);
    });
  });

  describe(isUsable.name, () => {
    it('should be usable only when active, of an enabled owner, and not expired', () => {
      expect(isUsable(keyState(), NOW)).toBe(true);
      expect(isUsable(keyState({ is_active: false }), NOW)).toBe(false);
      expect(isUsable(keyState({ user_active: false }), NOW)).toBe(false);
      expect(isUsable(keyState({ expiration_date: NOW }), NOW)).toBe(false);
    });
  });

  describe(assertKeyUsable.name, () => {
    it('should accept an active, unexpired key of an active user', () => {
      expect(() => assertKeyUsable(keyState(), NOW)).not.toThrow();
    });

    it.each([
      [{ user_active: false }, DomainErrorCode.KEY_USER_DISABLED],
      [{ is_active: false }, DomainErrorCode.KEY_REVOKED],
      [{ expiration_date: new Date(NOW.getTime() - 1000) }, DomainErrorCode.KEY_EXPIRED],
    ])('should refuse %p with %s', (overrides, code) => {
      expect(thrownDomainError(() => assertKeyUsable(keyState(overrides), NOW)).code).toBe(code);
    });
  });

  describe(parseKeyName.name, () => {
    it('should trim a valid name', () => {
      expect(parseKeyName('  my script ')).toBe('my script');
    });

    it.each([undefined, '', '   ', 'x'.repeat(129), 'bad\u0000name', 42])(
      'should refuse %p naming the parameter',
      (value) => {
        const error = thrownDomainError(() => parseKeyName(value));
        expect(error.code).toBe(DomainErrorCode.INVALID_PARAMETER);
        expect(error.details).toEqual({ parameter: 'name' });
      },
    );
  });

  describe(parseKeyConfig.name, () => {
    it('should parse a JSON object and treat absence as empty', () => {
      expect(parseKeyConfig('{"project":"s1","depth":{"a":1}}')).toEqual({ project: 's1', depth: { a: 1 } });
      expect(parseKeyConfig(undefined)).toEqual({});
      expect(parseKeyConfig('')).toEqual({});
    });

    it.each(['[1,2]', '42', 'null', '"text"', '{not json', `{"a":"${'x'.repeat(9000)}"}`])(
      'should refuse %p',
      (value) => {
        const error = thrownDomainError(() => parseKeyConfig(value));
        expect(error.details).toEqual({ parameter: 'config' });
      },
    );
  });

  describe(mergeConfig.name, () => {
    it('should let Keycloak attributes win over user config', () => {
      expect(mergeConfig({ organization: 'mine', project: 'x' }, { organization: 'ESA' }, ['organization'])).toEqual({
        organization: 'ESA',
        project: 'x',
      });
    });

    it('should drop an authoritative name Keycloak has no value for', () => {
      expect(mergeConfig({ organization: 'FORGED', project: 'x' }, {}, ['organization', 'quota'])).toEqual({
        project: 'x',
      });
    });
  });

  describe(parseExpirationDate.name, () => {
    it('should default to the key lifetime from now', () => {
      expect(parseExpirationDate(undefined, NOW, 15, 365)).toEqual(expirationFrom(NOW, 15));
    });

    it('should accept an ISO 8601 date within the maximum life', () => {
      expect(parseExpirationDate('2026-03-01T00:00:00Z', NOW, 15, 365).toISOString()).toBe('2026-03-01T00:00:00.000Z');
      expect(parseExpirationDate('2026-03-01', NOW, 15, 365).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    });

    it.each(['tomorrow', '01/03/2026', '2026-13-45', '2025-01-01T00:00:00Z', '2099-01-01T00:00:00Z'])(
      'should refuse %p',
      (value) => {
        expect(thrownDomainError(() => parseExpirationDate(value, NOW, 15, 365)).details).toEqual({
          parameter: 'expiration-date',
        });
      },
    );
  });
});
