import { bearer as as, useTestApp } from '@rs/testing';
import { createTestApp } from '../testing/test-app.test-helper';
import { AuxipController } from './auxip.controller';

describe(AuxipController.name, () => {
  const { http } = useTestApp(createTestApp);

  describe('GET /auxip', () => {
    it('should answer the landing page to holders of the landing page role only', async () => {
      const response = await http().get('/auxip').set(as('alice')).expect(200);
      expect(response.body).toMatchObject({ type: 'Catalog', id: 'auxip' });
      const refused = await http().get('/auxip').set(as('bob')).expect(403);
      expect(refused.body.message).toContain('rs_auxip_landing_page');
    });
  });

  describe('GET /auxip/search', () => {
    it('should require authentication', async () => {
      await http().get('/auxip/search').expect(401);
    });

    it('should search the default station by validity time and product type', async () => {
      const response = await http()
        .get('/auxip/search?datetime=2024-01-05T00:00:00Z&product_type=AUX_POEORB')
        .set(as('bob'))
        .expect(200);
      expect(response.body.type).toBe('FeatureCollection');
      expect(response.body.numberMatched).toBeGreaterThanOrEqual(1);
      for (const item of response.body.features) {
        expect(item.properties['product:type']).toBe('AUX_POEORB');
        expect(
          item.properties.start_datetime <= '2024-01-05T00:00:00.000Z' &&
            item.properties.end_datetime >= '2024-01-05T00:00:00.000Z',
        ).toBe(true);
      }
      expect(response.body.links[0].href).toBe('http://auxip.test/auxip/search');
    });

    it('should refuse a user without the station role, naming it', async () => {
      const response = await http().get('/auxip/search').set(as('carol')).expect(403);
      expect(response.body.message).toContain('rs_auxip_adgs_read');
    });

    it.each([
      ['a bad interval', '?datetime=2024-01-05/2024-01-01', 'datetime'],
      ['a too large limit', '?limit=5000', 'limit'],
      ['an unknown sort field', '?sortby=-owner', 'sortby'],
      ['an unknown parameter', '?station=adgs', 'station'],
    ])('should answer 400 naming the parameter for %s', async (_label, query, parameter) => {
      const response = await http().get(`/auxip/search${query}`).set(as('bob')).expect(400);
      expect(response.body).toMatchObject({ code: 'INVALID_PARAMETER', parameter });
    });
  });

  describe('GET /auxip/:station/search', () => {
    it('should accept the station in any case and 404 an unknown one', async () => {
      const response = await http()
        .get('/auxip/adgs/search?platform=S1A&limit=2&sortby=-created')
        .set(as('bob'))
        .expect(200);
      expect(response.body.numberReturned).toBe(2);
      expect(response.body.features[0].properties.created >= response.body.features[1].properties.created).toBe(true);
      await http().get('/auxip/LTA/search').set(as('alice')).expect(404);
    });
  });

  describe('GET /auxip/:station/files/:name and /download', () => {
    it('should answer one file, and download it with the download role only', async () => {
      const name = (await http().get('/auxip/search?limit=1').set(as('alice')).expect(200)).body.features[0]
        .id as string;
      expect((await http().get(`/auxip/ADGS/files/${name}`).set(as('bob')).expect(200)).body.id).toBe(name);
      const file = await http().get(`/auxip/ADGS/files/${name}/download`).set(as('alice')).expect(200);
      expect(file.headers['content-disposition']).toContain(name);
      expect(
        (await http().get(`/auxip/ADGS/files/${name}/download`).set(as('bob')).expect(403)).body.message,
      ).toContain('rs_auxip_adgs_download');
      await http().get('/auxip/ADGS/files/missing.EOF').set(as('bob')).expect(404);
    });

    it('should answer an unknown file with a JSON 404, not as a file', async () => {
      const response = await http().get('/auxip/ADGS/files/missing.EOF/download').set(as('alice')).expect(404);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body.code).toBe('FILE_NOT_FOUND');
    });
  });

  describe('operations', () => {
    it('should serve /health without credentials, and /metrics on the management port only', async () => {
      await http().get('/health').expect(200);
      await http().get('/metrics').expect(404);
    });
  });
});
