import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  buildFrontendDocument,
  FRONTEND_INFO,
  FRONTEND_SECTIONS,
  type FrontendPart,
  frontendSectionOf,
  type OpenApiDocument,
} from '@rs/api-frontend';
import { errorMessage } from '@rs/service-kit';
import { KEY_MANAGER_CONFIG, type KeyManagerConfig } from '../config/key-manager.config';

/** How long a complete document is served before the services' documents are read again. */
export const FRONTEND_REFRESH_MS = 60_000;
/** How soon a service whose document could not be read is asked again. */
export const FRONTEND_RETRY_MS = 2_000;
const FETCH_TIMEOUT_MS = 3_000;

type Fetch = typeof fetch;
/** Injection token of the fetch the service reads documents with (tests give their own). */
export const FRONTEND_FETCH = Symbol('FRONTEND_FETCH');

/**
 * The frontend's aggregated OpenAPI document: the key manager's own (handed over at setup) and the documents the
 * guarded services serve next to their Swagger UI (FRONTEND_SPEC_URLS, or PORTAL_SERVICES URL + `-json`), merged
 * by @rs/api-frontend.
 * Read at start, again after FRONTEND_REFRESH_MS, and soon again while one is missing; a service that does not
 * answer keeps the document it served last, or is left out and named in the description.
 */
@Injectable()
export class FrontendDocumentService implements OnApplicationBootstrap {
  private readonly logger = new Logger(FrontendDocumentService.name);
  private readonly sources: string[];
  private readonly documents = new Map<string, object>();
  private own: object | undefined;
  private built: { document: OpenApiDocument; at: number; complete: boolean } | undefined;
  private refreshing: Promise<OpenApiDocument> | undefined;

  constructor(
    @Inject(KEY_MANAGER_CONFIG) config: KeyManagerConfig,
    @Inject(FRONTEND_FETCH) private readonly fetcher: Fetch,
  ) {
    this.sources = config.FRONTEND_SPEC_URLS.length
      ? config.FRONTEND_SPEC_URLS
      : config.PORTAL_SERVICES.map((service) => `${service.url}-json`);
  }

  /** The key manager's own document, as its Swagger UI serves it. */
  useKeyManagerDocument(document: object): void {
    this.own = document;
    this.built = undefined;
  }

  onApplicationBootstrap(): void {
    void this.document().catch(() => undefined);
  }

  async document(): Promise<OpenApiDocument> {
    const age = this.built ? Date.now() - this.built.at : Infinity;
    if (this.built && age < (this.built.complete ? FRONTEND_REFRESH_MS : FRONTEND_RETRY_MS)) return this.built.document;
    this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async refresh(): Promise<OpenApiDocument> {
    const missing: string[] = [];
    await Promise.all(
      this.sources.map(async (url) => {
        try {
          const response = await this.fetcher(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
          if (!response.ok) throw new Error(`status ${response.status}`);
          this.documents.set(url, (await response.json()) as object);
        } catch (error) {
          if (!this.documents.has(url)) missing.push(url);
          this.logger.warn(`the OpenAPI document at ${url} could not be read (${errorMessage(error)})`);
        }
      }),
    );
    const parts: FrontendPart[] = [];
    const own = FRONTEND_SECTIONS.find((section) => section.app === 'key-manager');
    if (this.own && own) parts.push({ section: own, document: this.own });
    for (const url of this.sources) {
      const document = this.documents.get(url);
      const section = document && frontendSectionOf(document);
      if (document && section) parts.push({ section, document });
      else if (document) this.logger.warn(`the OpenAPI document at ${url} has no path the frontend routes`);
    }
    parts.sort((a, b) => FRONTEND_SECTIONS.indexOf(a.section) - FRONTEND_SECTIONS.indexOf(b.section));
    const description = missing.length
      ? `${FRONTEND_INFO.description}\n\n**Not shown: no answer from** ${missing.join(', ')} (asked again on reload).`
      : FRONTEND_INFO.description;
    const document = buildFrontendDocument(parts, { ...FRONTEND_INFO, description });
    this.built = { document, at: Date.now(), complete: missing.length === 0 };
    return document;
  }
}
