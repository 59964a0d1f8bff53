import { bearer as as, useTestApp } from '@rs/testing';
import { createTestApp } from '../testing/test-app.test-helper';
import { CadipController } from './cadip.controller';

describe(CadipController.name, () => {
  const { http } = useTestApp(createTestApp);

  describe('GET /cadip/:station/session', () => {
    it('should require authentication', async () => {
      const response = await http().get('/cadip/INS/session?platform=S1A').expect(401);
      expect(response.body.code).toBe('KEY_MISSING');
    });

    it('should answer a STAC FeatureCollection to a user with the station role', async () => {
      const response = await http()
        .get('/cadip/ins/session?start_date=2024-01-01T00:00:00Z&stop_date=2024-01-02T00:00:00Z')
        .set(as('bob'))
        .expect(200);
      expect(response.body).toMatchObject({ type: 'FeatureCollection', numberReturned: 4, numberMatched: 4 });
      expect(response.body.features[0].properties['cadip:station']).toBe('INS');
      expect(response.body.links[0].href).toBe('http://cadip.test/cadip/INS/session');
    });

    it('should refuse a station the user has no role for, naming the role', async () => {
      const response = await http().get('/cadip/MTI/session?platform=S1A').set(as('bob')).expect(403);
      expect(response.body).toMatchObject({ code: 'ROLE_REQUIRED' });
      expect(response.body.message).toContain('rs_cadip_mti_read');
    });

    it('should answer 404 for an unknown station', async () => {
      const response = await http().get('/cadip/XYZ/session?platform=S1A').set(as('alice')).expect(404);
      expect(response.body.message).toMatch(/INS, MTI, SGS, MPS/);
    });

    it('should accept platforms in any case', async () => {
      await http().get('/cadip/INS/session?platform=s1a,S2B').set(as('bob')).expect(200);
    });

    it.each([
      ['no criteria', '', 'id'],
      ['a bad date', '?start_date=yesterday&stop_date=2024-01-02', 'start_date'],
      ['a zero limit', '?platform=S1A&limit=0', 'limit'],
      ['an unknown parameter', '?platform=S1A&colour=red', 'colour'],
      ['an unknown platform', '?platform=S9Z', 'platform'],
      ['a platform list with spaces', '?platform=S1A,%20S2B', 'platform'],
      ['a date Date would roll over', '?start_date=2024-01-01T24:00:00Z&stop_date=2024-01-02', 'start_date'],
      ['a reversed range', '?start_date=2024-01-03T00:00:00Z&stop_date=2024-01-01T00:00:00Z', 'stop_date'],
    ])('should answer 400 naming the parameter for %s', async (_label, query, parameter) => {
      const response = await http().get(`/cadip/INS/session${query}`).set(as('bob')).expect(400);
      expect(response.body).toMatchObject({ code: 'INVALID_PARAMETER', parameter });
    });
  });

  describe('GET /cadip/:station/cadu/search', () => {
    it('should list the CADU chunks of a session', async () => {
      const sessions = await http()
        .get('/cadip/INS/session?platform=S1A,S2A,S2B,S3A,S3B,S1C&limit=1')
        .set(as('bob'))
        .expect(200);
      const sessionId = sessions.body.features[0].id as string;
      const response = await http()
        .get(`/cadip/INS/cadu/search?session_id=${sessionId}&sortby=%2Bcadip:block_number`)
        .set(as('bob'))
        .expect(200);
      expect(response.body.numberMatched).toBe(6);
      expect(
        response.body.features.map(
          (item: { properties: Record<string, unknown> }) => item.properties['cadip:session_id'],
        ),
      ).toEqual(Array(6).fill(sessionId));
      expect(response.body.features[0].properties['cadip:block_number']).toBe(1);
    });

    it('should filter by publication time and honour the limit', async () => {
      const response = await http()
        .get('/cadip/INS/cadu/search?datetime=2024-01-01T00:00:00Z/2024-01-01T12:00:00Z&limit=3')
        .set(as('bob'))
        .expect(200);
      expect(response.body.numberReturned).toBe(3);
      for (const feature of response.body.features)
        expect(feature.properties.datetime < '2024-01-01T12:00:00').toBe(true);
    });

    it('should answer 400 for a bad sortby or datetime', async () => {
      expect(
        (await http().get('/cadip/INS/cadu/search?sortby=-password').set(as('bob')).expect(400)).body.parameter,
      ).toBe('sortby');
      expect(
        (await http().get('/cadip/INS/cadu/search?datetime=2024-02-01/2024-01-01').set(as('bob')).expect(400)).body
          .parameter,
      ).toBe('datetime');
    });
  });

  describe('GET /cadip/:station/cadu/:id and /download', () => {
    async function firstCaduId(): Promise<string> {
      return (await http().get('/cadip/INS/cadu/search?limit=1').set(as('alice')).expect(200)).body.features[0].id;
    }

    it('should answer one chunk and 404 for an unknown one', async () => {
      const id = await firstCaduId();
      expect((await http().get(`/cadip/INS/cadu/${id}`).set(as('bob')).expect(200)).body.id).toBe(id);
      await http().get('/cadip/INS/cadu/nope.raw').set(as('bob')).expect(404);
    });

    it('should download with the download role only', async () => {
      const id = await firstCaduId();
      const response = await http().get(`/cadip/INS/cadu/${id}/download`).set(as('alice')).expect(200);
      expect(response.headers['content-type']).toBe('application/octet-stream');
      expect(response.headers['content-disposition']).toContain(id);
      const refused = await http().get(`/cadip/INS/cadu/${id}/download`).set(as('bob')).expect(403);
      expect(refused.body.message).toContain('rs_cadip_ins_download');
    });

    it('should answer an unknown chunk with a JSON 404, not as a file', async () => {
      const response = await http().get('/cadip/INS/cadu/nope.raw/download').set(as('alice')).expect(404);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body.code).toBe('CADU_NOT_FOUND');
    });
  });

  describe('operations', () => {
    it('should serve /health without credentials, and /metrics on the management port only', async () => {
      await http().get('/health').expect(200, { status: 'ok' });
      await http().get('/metrics').expect(404);
    });
  });
});
