import { DomainError } from '@rs/key-domain';
import { CadipRepository } from './cadip.repository';
import { CadipService } from './cadip.service';

const BASE = 'http://cadip.test';

describe(CadipService.name, () => {
  let sut: CadipService;
  let repository: CadipRepository;

  beforeEach(() => {
    repository = new CadipRepository();
    sut = new CadipService(repository);
  });

  describe('searchSessions', () => {
    it('should find sessions by id, listing their CADU files as assets', () => {
      const session = repository.sessions('SGS')[3];
      const result = sut.searchSessions('SGS', { id: `${session.id},unknown` }, BASE);
      expect(result.features.map((item) => item.id)).toEqual([session.id]);
      expect(Object.keys(result.features[0].assets)).toHaveLength(6);
      expect(result.features[0].properties).toMatchObject({
        'sat:absolute_orbit': session.downlinkOrbit,
        'cadip:antenna_id': session.antennaId,
      });
    });

    it('should filter by platform, case-insensitively', () => {
      const result = sut.searchSessions('INS', { platform: 's1a' }, BASE);
      expect(result.numberMatched).toBeGreaterThan(0);
      expect(result.features.every((item) => item.properties['platform'] === 'sentinel-1a')).toBe(true);
    });

    it('should keep sessions that start within the range', () => {
      const result = sut.searchSessions(
        'MPS',
        { start_date: '2024-01-02T00:00:00Z', stop_date: '2024-01-03T00:00:00Z' },
        BASE,
      );
      expect(result.numberMatched).toBe(4);
      for (const item of result.features)
        expect(String(item.properties['start_datetime']).startsWith('2024-01-02')).toBe(true);
    });

    it('should refuse a search without criteria, or with only one date', () => {
      expect(() => sut.searchSessions('INS', {}, BASE)).toThrow(DomainError);
      expect(() => sut.searchSessions('INS', { start_date: '2024-01-01T00:00:00Z' }, BASE)).toThrow(
        "Give at least one of 'id', 'platform'",
      );
    });

    it('should apply the limit but count every match', () => {
      const result = sut.searchSessions(
        'INS',
        { start_date: '2024-01-01T00:00:00Z', stop_date: '2024-02-01T00:00:00Z', limit: 5 },
        BASE,
      );
      expect(result.numberReturned).toBe(5);
      expect(result.numberMatched).toBe(28);
    });
  });

  describe('searchCadus', () => {
    it('should sort newest first by default', () => {
      const result = sut.searchCadus('INS', {}, BASE);
      const dates = result.features.map((item) => String(item.properties['datetime']));
      expect(dates).toEqual([...dates].sort().reverse());
    });

    it('should sort by size ascending', () => {
      const sizes = sut
        .searchCadus('INS', { sortby: '+file:size', limit: 1000 }, BASE)
        .features.map((item) => Number(item.properties['file:size']));
      expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
      expect(sizes).toHaveLength(168);
    });
  });

  describe('download', () => {
    it('should give a sample payload named after the file, and 404 for an unknown file', () => {
      const cadu = repository.cadus('MTI')[0];
      const file = sut.download('MTI', cadu.id);
      expect(file.fileName).toBe(cadu.id);
      expect(file.content.toString()).toContain(cadu.sessionId);
      expect(() => sut.download('MTI', 'missing')).toThrow('No CADU file');
    });
  });
});
