import { DomainErrorCode, isDomainError } from '@rs/key-domain';
import { knownValue } from './known-value.util';

describe(knownValue.name, () => {
  const station = knownValue('Cadip station', ['INS', 'MTI'] as const, DomainErrorCode.STATION_NOT_FOUND);

  it('should give a known value in upper case', () => {
    expect(station('mti')).toBe('MTI');
  });

  it.each([undefined, '', 'XYZ', 'a'.repeat(100)])('should refuse %p, naming the known values', (raw) => {
    let thrown: unknown;
    try {
      station(raw);
    } catch (error) {
      thrown = error;
    }
    expect(isDomainError(thrown) && thrown.code).toBe(DomainErrorCode.STATION_NOT_FOUND);
    expect((thrown as Error).message).toContain('use one of INS, MTI');
    expect((thrown as Error).message.length).toBeLessThan(80);
  });
});
