import fs from 'node:fs';
import path from 'node:path';
import type { KeyManagerConfig } from '../config/key-manager.config';
import { FRONTEND_REFRESH_MS, FRONTEND_RETRY_MS, FrontendDocumentService } from './frontend-document.service';

const SPECS = path.resolve(__dirname, '..', '..', '..', '..', 'docs', 'openapi');
const spec = (app: string): object => JSON.parse(fs.readFileSync(path.join(SPECS, `${app}.json`), 'utf8'));
const SERVICES = {
  'http://auxip.test/docs-json': 'auxip',
  'http://cadip.test/docs-json': 'cadip',
  'http://catalog.test/docs-json': 'catalog',
} as Record<string, string>;

const config = {
  PORTAL_SERVICES: [
    // Out of the frontend's order on purpose: sections follow FRONTEND_SECTIONS.
    { title: 'Catalog', url: 'http://catalog.test/docs' },
    { title: 'Auxip', url: 'http://auxip.test/docs' },
    { title: 'Cadip', url: 'http://cadip.test/docs' },
  ],
  FRONTEND_SPEC_URLS: [] as string[],
} as KeyManagerConfig;

describe(FrontendDocumentService.name, () => {
  let sut: FrontendDocumentService;
  let down: Set<string>;
  let fetcher: jest.Mock;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z'), doNotFake: ['nextTick', 'setImmediate'] });
    down = new Set();
    fetcher = jest.fn(async (url: string) => {
      const app = SERVICES[url];
      if (!app || down.has(app)) throw new TypeError('fetch failed');
      return new Response(JSON.stringify(spec(app)), { headers: { 'content-type': 'application/json' } });
    });
    sut = new FrontendDocumentService(config, fetcher as unknown as typeof fetch);
    sut.useKeyManagerDocument(spec('key-manager'));
  });

  afterEach(() => jest.useRealTimers());

  describe('document', () => {
    it('should merge the key manager and every service answering at its Swagger UI URL + -json', async () => {
      const document = await sut.document();
      expect(fetcher).toHaveBeenCalledTimes(3);
      expect(document.tags.map(({ name }) => name)).toEqual([
        'API Key Manager',
        'API Key Administration',
        'API Key Check',
        'ADGS stations',
        'CADIP stations',
        'Catalog',
      ]);
      expect(document).toEqual(JSON.parse(fs.readFileSync(path.join(SPECS, 'frontend.json'), 'utf8')));
    });

    it('should read the documents at FRONTEND_SPEC_URLS when they are set', async () => {
      const inCluster = { ...config, FRONTEND_SPEC_URLS: ['http://auxip.test/docs-json'] } as KeyManagerConfig;
      const document = await new FrontendDocumentService(inCluster, fetcher as unknown as typeof fetch).document();
      expect(fetcher.mock.calls.map(([url]) => url)).toEqual(['http://auxip.test/docs-json']);
      expect(document.tags.map(({ name }) => name)).toContain('ADGS stations');
      expect(document.tags.map(({ name }) => name)).not.toContain('CADIP stations');
    });

    it('should serve the same document without asking again until it is FRONTEND_REFRESH_MS old', async () => {
      const first = await sut.document();
      jest.advanceTimersByTime(FRONTEND_REFRESH_MS - 1);
      expect(await sut.document()).toBe(first);
      expect(fetcher).toHaveBeenCalledTimes(3);
      jest.advanceTimersByTime(1);
      await sut.document();
      expect(fetcher).toHaveBeenCalledTimes(6);
    });

    it('should leave out and name a service that never answered, and ask again after FRONTEND_RETRY_MS', async () => {
      down.add('cadip');
      const partial = await sut.document();
      expect(partial.tags.map(({ name }) => name)).not.toContain('CADIP stations');
      expect(partial.info.description).toContain('no answer from** http://cadip.test/docs-json');
      down.clear();
      jest.advanceTimersByTime(FRONTEND_RETRY_MS);
      const complete = await sut.document();
      expect(complete.tags.map(({ name }) => name)).toContain('CADIP stations');
      expect(complete.info.description).not.toContain('no answer');
    });

    it('should keep the document a service served last while it does not answer', async () => {
      await sut.document();
      down.add('auxip');
      jest.advanceTimersByTime(FRONTEND_REFRESH_MS);
      const document = await sut.document();
      expect(document.tags.map(({ name }) => name)).toContain('ADGS stations');
      expect(document.info.description).not.toContain('no answer');
    });

    it('should read the services once for concurrent requests', async () => {
      await Promise.all([sut.document(), sut.document(), sut.document()]);
      expect(fetcher).toHaveBeenCalledTimes(3);
    });
  });
});
