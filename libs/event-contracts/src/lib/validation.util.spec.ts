import { isIsoTime, isNonEmptyString, isoTimeToMs, parseWithSchema, schemaParser } from './validation.util';

/** Deterministic pseudo-random integers (no flaky inputs). */
function randomIntegers(seed: number): (below: number) => number {
  let state = seed;
  return (below) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state % below;
  };
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

describe(isoTimeToMs.name, () => {
  it('should read the UTC forms producers send', () => {
    expect(isoTimeToMs('2026-11-26T21:09:35.123Z')).toBe(Date.UTC(2026, 10, 26, 21, 9, 35, 123));
    expect(isoTimeToMs('2026-11-26T21:09:35Z')).toBe(Date.UTC(2026, 10, 26, 21, 9, 35));
    expect(isoTimeToMs('1970-01-01T00:00:00.000Z')).toBe(0);
    expect(isoTimeToMs('0000-01-01T00:00:00.000Z')).toBe(Date.parse('0000-01-01T00:00:00.000Z'));
  });

  it('should answer as Date.parse when the text is an ISO time in another form', () => {
    for (const text of [
      '2026-01-01T10:00:00+02:00',
      '2026-01-01T10:00Z',
      '2026-01-01T10:00:00.1234567Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T10:00:00z',
    ]) {
      expect(isoTimeToMs(text)).toBe(Date.parse(text));
    }
  });

  it('should give NaN when the text is not an ISO time', () => {
    for (const text of [
      '',
      'yesterday',
      '26/11/2026',
      '2026-13-01T00:00:00.000Z',
      '2026-01-01T23:59:60Z',
      '2026-01-01T10:00:00.Z',
      '2026-1a-01T00:00:00.000Z',
      '1767261600000',
    ]) {
      expect(isoTimeToMs(text)).toBeNaN();
    }
  });

  it('should agree with Date.parse on 20 000 fixed-width texts, valid or not, when fields go out of range', () => {
    const next = randomIntegers(42);
    for (let round = 0; round < 20_000; round++) {
      const date = `${pad(next(10_000), 4)}-${pad(next(14), 2)}-${pad(next(33), 2)}`;
      const time = `${pad(next(26), 2)}:${pad(next(61), 2)}:${pad(next(62), 2)}`;
      const text = round % 2 ? `${date}T${time}.${pad(next(1000), 3)}Z` : `${date}T${time}Z`;
      const expected = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
      expect([text, isoTimeToMs(text)]).toEqual([text, expected]);
    }
  });
});

describe(schemaParser.name, () => {
  const parse = schemaParser<{ name: string; at: string }>({ name: isNonEmptyString, at: isIsoTime });

  it('should accept text, a Buffer and a plain Uint8Array view into a larger buffer', () => {
    const text = '{"name":"n","at":"2026-01-01T00:00:00Z"}';
    const padded = new TextEncoder().encode(`xx${text}yy`);
    expect(parse(text)).toEqual({ ok: true, value: { name: 'n', at: '2026-01-01T00:00:00Z' } });
    expect(parse(Buffer.from(text))).toEqual({ ok: true, value: { name: 'n', at: '2026-01-01T00:00:00Z' } });
    expect(parse(padded.subarray(2, 2 + text.length))).toEqual({
      ok: true,
      value: { name: 'n', at: '2026-01-01T00:00:00Z' },
    });
  });

  it('should name the first bad field in schema order when several are bad', () => {
    expect(parse({ name: '', at: 'never' })).toEqual({ ok: false, reason: "field 'name' is missing or invalid" });
    expect(parse({ name: 'n' })).toEqual({ ok: false, reason: "field 'at' is missing or invalid" });
  });

  it('should answer as parseWithSchema when given the same schema', () => {
    for (const raw of ['{', '[]', 'null', '{"name":"n","at":"2026-01-01T00:00:00Z"}', { name: 'n', at: 'x' }]) {
      expect(parse(raw)).toEqual(parseWithSchema(raw, { name: isNonEmptyString, at: isIsoTime }));
    }
  });
});
