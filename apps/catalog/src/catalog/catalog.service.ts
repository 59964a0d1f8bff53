import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { type AuthPrincipal } from '@rs/auth-guard';
import { canAccessCatalogCollection, missingCatalogRoles } from '@rs/rs-roles';
import { DomainError, DomainErrorCode } from '@rs/key-domain';
import { parseInterval, parseIsoDate, parseList, STAC_VERSION, type StacLink } from '@rs/stac';
import {
  assertItemId,
  type CollectionId,
  collectionKey,
  isCollectionName,
  parseCollectionId,
} from './catalog-ids.util';
import { CONFORMANCE_CLASSES, DEFAULT_ITEM_LIMIT } from './catalog.constants';
import type { CatalogStore, StoredCollection, StoredItem } from './catalog.records';
import { CatalogRepository } from './catalog.repository';
import type { StacCollectionDto } from './dto/stac-collection.dto';
import type { StacItemDto } from './dto/stac-item.dto';
import { type BBox, bboxOf, parseBBox } from './geometry.util';

/** Links the service generates; any the client sent with these relations are replaced. */
const GENERATED_RELATIONS = new Set(['self', 'root', 'parent', 'collection', 'items', 'next', 'prev']);
const DEFAULT_EXTENT = { spatial: { bbox: [[-180, -90, 180, 90]] }, temporal: { interval: [[null, null]] } };

export type StacObject = Record<string, unknown>;

/** Search criteria common to GET and POST /catalog/search and to `.../items`. */
export interface SearchCriteria {
  collections?: string[];
  ids?: string[];
  bbox?: string | number[];
  datetime?: string;
  limit?: number;
  offset?: number;
}

/** Where a page of results continues: GET with a query string, or POST with a body. */
export type NextLink = (offset: number) => StacLink & { method?: string; body?: unknown };

/**
 * STAC catalog rules. Role checks on routes with a collection id are done by the guard
 * (@RequireRoles(collectionAccess(...))); searches and creation check here.
 */
@Injectable()
export class CatalogService {
  constructor(@Inject(CatalogRepository) private readonly store: CatalogStore) {}

  landingPage(baseUrl: string): StacObject {
    const root = `${baseUrl}/catalog`;
    return {
      type: 'Catalog',
      stac_version: STAC_VERSION,
      id: 'rs-server-catalog',
      title: 'RS-Server STAC catalog',
      description:
        'Owner-scoped STAC collections: owners write their own collections; others need rs_catalog_<owner>:<collection>_<access>.',
      conformsTo: CONFORMANCE_CLASSES,
      links: [
        { rel: 'self', href: root, type: 'application/json' },
        { rel: 'root', href: root, type: 'application/json' },
        { rel: 'conformance', href: `${root}/conformance`, type: 'application/json' },
        { rel: 'data', href: `${root}/collections`, type: 'application/json' },
        { rel: 'search', href: `${root}/search`, type: 'application/geo+json', method: 'GET' },
        { rel: 'search', href: `${root}/search`, type: 'application/geo+json', method: 'POST' },
        { rel: 'service-desc', href: `${baseUrl}/docs-json`, type: 'application/vnd.oai.openapi+json;version=3.0' },
        { rel: 'service-doc', href: `${baseUrl}/docs`, type: 'text/html' },
      ],
    };
  }

  conformance(): { conformsTo: string[] } {
    return { conformsTo: CONFORMANCE_CLASSES };
  }

  async listCollections(principal: AuthPrincipal, baseUrl: string): Promise<StacObject> {
    const readable = (await this.store.listCollections()).filter((collection) =>
      canAccessCatalogCollection(principal, collection.owner, collection.name, 'read'),
    );
    return {
      collections: readable.map((collection) => this.collectionOut(collection, baseUrl)),
      links: [
        { rel: 'self', href: `${baseUrl}/catalog/collections`, type: 'application/json' },
        { rel: 'root', href: `${baseUrl}/catalog`, type: 'application/json' },
      ],
    };
  }

  async createCollection(principal: AuthPrincipal, body: StacCollectionDto, baseUrl: string): Promise<StacObject> {
    const id = body.id.includes(':')
      ? parseCollectionId(body.id, 'id')
      : { owner: principal.user_login, name: this.collectionName(body.id) };
    if (id.owner !== principal.user_login) {
      // Creating in someone else's namespace takes their write role on that collection.
      const missing = missingCatalogRoles(principal, id.owner, id.name, 'write');
      if (missing.length) throw roleRequired(missing);
    }
    const now = new Date();
    const collection: StoredCollection = {
      key: collectionKey(id),
      owner: id.owner,
      name: id.name,
      stac: this.collectionStac(body, id),
      createdAt: now,
      updatedAt: now,
    };
    if (!(await this.store.insertCollection(collection))) {
      throw new ConflictException({
        code: DomainErrorCode.COLLECTION_EXISTS,
        message: `Collection '${collection.key}' already exists; use PUT to replace it`,
      });
    }
    return this.collectionOut(collection, baseUrl);
  }

  async getCollection(rawId: string, baseUrl: string): Promise<StacObject> {
    return this.collectionOut(await this.findCollection(parseCollectionId(rawId)), baseUrl);
  }

  async replaceCollection(rawId: string, body: StacCollectionDto, baseUrl: string): Promise<StacObject> {
    const id = parseCollectionId(rawId);
    if (body.id !== id.name && body.id !== collectionKey(id)) {
      throw DomainError.invalidParameter(
        'id',
        `The body id '${body.id.slice(0, 80)}' does not match the collection '${collectionKey(id)}' of the URL`,
      );
    }
    const existing = await this.findCollection(id);
    const collection: StoredCollection = { ...existing, stac: this.collectionStac(body, id), updatedAt: new Date() };
    if (!(await this.store.replaceCollection(collection))) throw collectionNotFound(collectionKey(id));
    return this.collectionOut(collection, baseUrl);
  }

  async deleteCollection(rawId: string): Promise<void> {
    const key = collectionKey(parseCollectionId(rawId));
    if (!(await this.store.deleteCollection(key))) throw collectionNotFound(key);
  }

  async listItems(rawId: string, criteria: SearchCriteria, baseUrl: string, next: NextLink): Promise<StacObject> {
    const collection = await this.findCollection(parseCollectionId(rawId));
    return this.searchIn(
      [collection.key],
      criteria,
      baseUrl,
      `${baseUrl}/catalog/collections/${collection.key}/items`,
      next,
    );
  }

  async createItem(rawId: string, body: StacItemDto, baseUrl: string): Promise<StacObject> {
    const collection = await this.findCollection(parseCollectionId(rawId));
    const now = new Date();
    const item = this.itemToStore(collection.key, body, now, now);
    if (!(await this.store.insertItem(item))) {
      throw new ConflictException({
        code: DomainErrorCode.ITEM_EXISTS,
        message: `Item '${item.itemId}' already exists in '${collection.key}'; use PUT to replace it`,
      });
    }
    return this.itemOut(item, baseUrl);
  }

  async getItem(rawId: string, itemId: string, baseUrl: string): Promise<StacObject> {
    const key = collectionKey(parseCollectionId(rawId));
    const item = await this.store.findItem(key, assertItemId(itemId));
    if (!item) throw await this.itemNotFound(key, itemId);
    return this.itemOut(item, baseUrl);
  }

  async replaceItem(rawId: string, itemId: string, body: StacItemDto, baseUrl: string): Promise<StacObject> {
    const key = collectionKey(parseCollectionId(rawId));
    if (body.id !== itemId)
      throw DomainError.invalidParameter(
        'id',
        `The body id '${body.id.slice(0, 80)}' does not match the item '${itemId.slice(0, 80)}' of the URL`,
      );
    const existing = await this.store.findItem(key, assertItemId(itemId));
    if (!existing) throw await this.itemNotFound(key, itemId);
    const item = this.itemToStore(key, body, existing.createdAt, new Date());
    if (!(await this.store.replaceItem(item))) throw await this.itemNotFound(key, itemId);
    return this.itemOut(item, baseUrl);
  }

  async deleteItem(rawId: string, itemId: string): Promise<void> {
    const key = collectionKey(parseCollectionId(rawId));
    if (!(await this.store.deleteItem(key, assertItemId(itemId)))) throw await this.itemNotFound(key, itemId);
  }

  /**
   * Item search across collections: the ones named (each must be readable: 403 naming the missing roles)
   * or, by default, every collection the principal may read.
   */
  async search(
    principal: AuthPrincipal,
    criteria: SearchCriteria,
    baseUrl: string,
    next: NextLink,
  ): Promise<StacObject> {
    let keys: string[];
    if (criteria.collections?.length) {
      const ids = criteria.collections.map((raw) => parseCollectionId(raw, 'collections'));
      const missing = ids.flatMap((id) => missingCatalogRoles(principal, id.owner, id.name, 'read'));
      if (missing.length) throw roleRequired(missing);
      keys = [...new Set(ids.map(collectionKey))];
    } else {
      keys = (await this.store.listCollections())
        .filter((collection) => canAccessCatalogCollection(principal, collection.owner, collection.name, 'read'))
        .map((collection) => collection.key);
    }
    return this.searchIn(keys, criteria, baseUrl, `${baseUrl}/catalog/search`, next);
  }

  /** `a,b` or an array → list, for the `collections` and `ids` criteria. */
  static list(raw: string | string[] | undefined): string[] | undefined {
    return Array.isArray(raw) ? (raw.length ? raw : undefined) : parseList(raw);
  }

  private async searchIn(
    keys: string[],
    criteria: SearchCriteria,
    baseUrl: string,
    selfHref: string,
    next: NextLink,
  ): Promise<StacObject> {
    const bbox = parseBBox(criteria.bbox);
    const interval = parseInterval(criteria.datetime, 'datetime');
    const limit = criteria.limit ?? DEFAULT_ITEM_LIMIT;
    const offset = criteria.offset ?? 0;
    const { items, matched } = keys.length
      ? await this.store.searchItems({ collectionKeys: keys, ids: criteria.ids, bbox, interval, offset, limit })
      : { items: [], matched: 0 };
    const links: StacLink[] = [
      { rel: 'self', href: selfHref, type: 'application/geo+json' },
      { rel: 'root', href: `${baseUrl}/catalog`, type: 'application/json' },
    ];
    if (offset + items.length < matched) links.push(next(offset + items.length));
    return {
      type: 'FeatureCollection',
      features: items.map((item) => this.itemOut(item, baseUrl)),
      numberMatched: matched,
      numberReturned: items.length,
      links,
    };
  }

  private collectionName(raw: string): string {
    if (!isCollectionName(raw))
      throw DomainError.invalidParameter(
        'id',
        `'${raw.slice(0, 80)}' is not a collection name (letters, digits, _ . -; at most 100)`,
      );
    return raw;
  }

  private async findCollection(id: CollectionId): Promise<StoredCollection> {
    const collection = await this.store.findCollection(collectionKey(id));
    if (!collection) throw collectionNotFound(collectionKey(id));
    return collection;
  }

  private async itemNotFound(key: string, itemId: string): Promise<NotFoundException> {
    if (!(await this.store.findCollection(key))) return collectionNotFound(key);
    return new NotFoundException({
      code: DomainErrorCode.ITEM_NOT_FOUND,
      message: `No item '${itemId.slice(0, 120)}' in collection '${key}'`,
    });
  }

  private collectionStac(body: StacCollectionDto, id: CollectionId): StacObject {
    return {
      ...body,
      type: 'Collection',
      stac_version: body.stac_version ?? STAC_VERSION,
      id: id.name,
      license: body.license ?? 'other',
      extent: body.extent ?? DEFAULT_EXTENT,
      links: userLinks(body.links),
    };
  }

  private itemToStore(key: string, body: StacItemDto, createdAt: Date, updatedAt: Date): StoredItem {
    const itemId = assertItemId(body.id, 'id');
    const box = body.geometry === null ? null : bboxOf(body.geometry);
    const { start, end } = itemTime(body.properties);
    const stac: StacObject = {
      ...body,
      stac_version: body.stac_version ?? STAC_VERSION,
      stac_extensions: body.stac_extensions ?? [],
      ...(box && !body.bbox ? { bbox: box } : {}),
      links: userLinks(body.links),
      assets: body.assets ?? {},
    };
    delete stac['collection'];
    return { collectionKey: key, itemId, stac, start, end, bbox: box as BBox | null, createdAt, updatedAt };
  }

  private collectionOut(collection: StoredCollection, baseUrl: string): StacObject {
    const self = `${baseUrl}/catalog/collections/${collection.key}`;
    return {
      ...collection.stac,
      id: collection.key,
      owner: collection.owner,
      links: [
        { rel: 'self', href: self, type: 'application/json' },
        { rel: 'root', href: `${baseUrl}/catalog`, type: 'application/json' },
        { rel: 'parent', href: `${baseUrl}/catalog`, type: 'application/json' },
        { rel: 'items', href: `${self}/items`, type: 'application/geo+json' },
        ...userLinks(collection.stac['links']),
      ],
    };
  }

  private itemOut(item: StoredItem, baseUrl: string): StacObject {
    const collection = `${baseUrl}/catalog/collections/${item.collectionKey}`;
    return {
      ...item.stac,
      collection: item.collectionKey,
      links: [
        { rel: 'self', href: `${collection}/items/${encodeURIComponent(item.itemId)}`, type: 'application/geo+json' },
        { rel: 'parent', href: collection, type: 'application/json' },
        { rel: 'collection', href: collection, type: 'application/json' },
        { rel: 'root', href: `${baseUrl}/catalog`, type: 'application/json' },
        ...userLinks(item.stac['links']),
      ],
    };
  }
}

function userLinks(raw: unknown): StacObject[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (link): link is StacObject =>
      typeof link === 'object' && link !== null && !GENERATED_RELATIONS.has(String((link as StacObject)['rel'])),
  );
}

/** STAC: `datetime`, or `datetime: null` with `start_datetime` and `end_datetime`. */
function itemTime(properties: Record<string, unknown>): { start: Date; end: Date } {
  const { datetime, start_datetime: start, end_datetime: end } = properties;
  for (const [name, value] of Object.entries({ start_datetime: start, end_datetime: end }))
    if (value !== undefined && typeof value !== 'string')
      throw DomainError.invalidParameter(`properties.${name}`, `'${name}' must be an ISO 8601 date-time`);
  if (typeof datetime === 'string') {
    const instant = parseIsoDate(datetime, 'properties.datetime');
    return {
      start: typeof start === 'string' ? parseIsoDate(start, 'properties.start_datetime') : instant,
      end: typeof end === 'string' ? parseIsoDate(end, 'properties.end_datetime') : instant,
    };
  }
  if ((datetime === null || datetime === undefined) && typeof start === 'string' && typeof end === 'string') {
    const range = {
      start: parseIsoDate(start, 'properties.start_datetime'),
      end: parseIsoDate(end, 'properties.end_datetime'),
    };
    if (range.start > range.end)
      throw DomainError.invalidParameter(
        'properties.end_datetime',
        "'end_datetime' must not be before 'start_datetime'",
      );
    return range;
  }
  throw DomainError.invalidParameter(
    'properties.datetime',
    "An item needs 'properties.datetime', or 'start_datetime' and 'end_datetime' with datetime null",
  );
}

function roleRequired(missing: string[]): DomainError {
  return new DomainError(
    DomainErrorCode.ROLE_REQUIRED,
    `Missing role ${missing.map((role) => `'${role}'`).join(', ')}: ask the collection owner or an RS-Server administrator`,
    {
      required_roles: missing,
    },
  );
}

function collectionNotFound(key: string): NotFoundException {
  return new NotFoundException({ code: DomainErrorCode.COLLECTION_NOT_FOUND, message: `No collection '${key}'` });
}
