import { AuxipRepository } from './auxip.repository';
import { AuxipService } from './auxip.service';

const BASE = 'http://auxip.test';

describe(AuxipService.name, () => {
  let sut: AuxipService;
  let repository: AuxipRepository;

  beforeEach(() => {
    repository = new AuxipRepository();
    sut = new AuxipService(repository);
  });

  describe('search', () => {
    it('should keep files whose validity meets the interval', () => {
      const result = sut.search(
        'ADGS',
        { datetime: '2024-01-03T10:00:00Z/2024-01-03T11:00:00Z', limit: 1000 },
        BASE,
        '/auxip/search',
      );
      expect(result.numberMatched).toBeGreaterThan(0);
      for (const item of result.features) {
        expect(String(item.properties['start_datetime']) <= '2024-01-03T11:00:00.000Z').toBe(true);
        expect(String(item.properties['end_datetime']) >= '2024-01-03T10:00:00.000Z').toBe(true);
      }
    });

    it('should filter by product type and platform, case-insensitively', () => {
      const result = sut.search(
        'ADGS',
        { product_type: 'aux_resorb', platform: 's1a', limit: 1000 },
        BASE,
        '/auxip/search',
      );
      expect(result.numberMatched).toBe(8 * 14);
      expect(
        result.features.every(
          (item) => item.properties['product:type'] === 'AUX_RESORB' && item.properties['platform'] === 'sentinel-1a',
        ),
      ).toBe(true);
    });

    it('should describe a constellation-wide file without platform', () => {
      const item = sut.search('ADGS', { product_type: 'AUX_ECMWFD', limit: 1 }, BASE, '/auxip/search').features[0];
      expect(item.properties).toMatchObject({ constellation: 'sentinel-2' });
      expect(item.properties['platform']).toBeUndefined();
      expect(item.id).toMatch(/^S2__OPER_AUX_ECMWFD_ADG__\d{8}T\d{6}_V\d{8}T\d{6}_\d{8}T\d{6}\.TGZ$/);
    });

    it('should sort by validity start by default and apply the limit', () => {
      const result = sut.search('ADGS', { limit: 10 }, BASE, '/auxip/search');
      const starts = result.features.map((item) => String(item.properties['datetime']));
      expect(starts).toEqual([...starts].sort());
      expect(result.numberReturned).toBe(10);
    });
  });

  describe('download', () => {
    it('should give a sample payload, and 404 for an unknown file', () => {
      const file = repository.files('ADGS')[0];
      expect(sut.download('ADGS', file.name).content.toString()).toContain(file.productType);
      expect(() => sut.download('ADGS', 'missing')).toThrow('No auxiliary file');
    });
  });
});
