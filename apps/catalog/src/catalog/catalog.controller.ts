import {
  Body,
  type CallHandler,
  Controller,
  Delete,
  type ExecutionContext,
  Get,
  HttpCode,
  Inject,
  type NestInterceptor,
  Param,
  Post,
  Put,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ApiAuth, type AuthPrincipal, CurrentPrincipal, RequireRoles } from '@rs/auth-guard';
import { ApiRequestHeadTooLarge, ErrorResponseDto } from '@rs/service-kit';
import { CATALOG_CONFIG, type CatalogConfig } from '../config/catalog.config';
import { DomainError } from '@rs/key-domain';
import { COLLECTION_ID_PATTERN, collectionAccess, ITEM_ID_PATTERN } from './catalog-ids.util';
import { CatalogService, type NextLink, type StacObject } from './catalog.service';
import { ItemsQueryDto, SearchQueryDto } from './dto/items-query.dto';
import { SearchBodyDto } from './dto/search-body.dto';
import { StacCollectionDto } from './dto/stac-collection.dto';
import { StacItemDto } from './dto/stac-item.dto';
import {
  ConformanceResponseDto,
  StacCollectionResponseDto,
  StacCollectionsResponseDto,
  StacFeatureCollectionResponseDto,
  StacItemResponseDto,
  StacLandingPageResponseDto,
} from '@rs/stac';

const COLLECTION_PARAM = {
  name: 'collectionId',
  description: '<owner>:<collection>',
  example: 'alice:s1-l1',
  schema: { type: 'string', pattern: COLLECTION_ID_PATTERN },
} as const;
const ITEM_PARAM = {
  name: 'itemId',
  description: 'Item id',
  schema: { type: 'string', pattern: ITEM_ID_PATTERN },
} as const;
const BAD_REQUEST = ApiBadRequestResponse({
  description: 'A parameter or the body is invalid; `parameter` names it',
  type: ErrorResponseDto,
});

// OpenAPI links: from a collection or item to what a client does with it next (schemathesis' stateful phase
// follows them too).
const collectionLinks = (id: string) => {
  const collectionId = { collectionId: id };
  return {
    GetCollection: { operationId: 'CatalogController_getCollection', parameters: collectionId },
    ReplaceCollection: { operationId: 'CatalogController_replaceCollection', parameters: collectionId },
    ListItems: { operationId: 'CatalogController_listItems', parameters: collectionId },
    CreateItem: { operationId: 'CatalogController_createItem', parameters: collectionId },
    DeleteCollection: { operationId: 'CatalogController_deleteCollection', parameters: collectionId },
  };
};
const itemLinks = (pointer: string) => {
  const parameters = {
    collectionId: `$response.body#${pointer}/collection`,
    itemId: `$response.body#${pointer}/id`,
  };
  return {
    GetItem: { operationId: 'CatalogController_getItem', parameters },
    ReplaceItem: { operationId: 'CatalogController_replaceItem', parameters },
    DeleteItem: { operationId: 'CatalogController_deleteItem', parameters },
  };
};

/**
 * A JSON object body is required. Checked before the pipes: the ValidationPipe would turn a missing body
 * into an empty object, so that POST /catalog/search without one searched everything.
 */
class RequiredBodyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const body: unknown = context.switchToHttp().getRequest<Request>().body;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw DomainError.invalidParameter('body', 'A JSON object body is required');
    return next.handle();
  }
}

/** Next page of a GET listing: the same query with another offset. */
function nextGet(href: string, query: ItemsQueryDto & Partial<SearchQueryDto>): NextLink {
  return (offset) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries({ ...query, offset }))
      if (value !== undefined) params.set(name, String(value));
    return { rel: 'next', href: `${href}?${params.toString()}`, type: 'application/geo+json', method: 'GET' };
  };
}

@ApiTags('STAC catalog')
@ApiRequestHeadTooLarge()
@ApiAuth()
@Controller('catalog')
export class CatalogController {
  constructor(
    private readonly catalog: CatalogService,
    @Inject(CATALOG_CONFIG) private readonly config: CatalogConfig,
  ) {}

  private get baseUrl(): string {
    return this.config.PUBLIC_URL;
  }

  @Get()
  @ApiOperation({ summary: 'Landing page', description: 'STAC API landing page (any authenticated user).' })
  @ApiOkResponse({
    description: 'STAC Catalog with the links to conformance, collections and search',
    type: StacLandingPageResponseDto,
  })
  landingPage(): StacObject {
    return this.catalog.landingPage(this.baseUrl);
  }

  @Get('conformance')
  @ApiOperation({
    summary: 'Conformance classes',
    description: 'The STAC API and OGC API conformance classes this catalog implements (any authenticated user).',
  })
  @ApiOkResponse({ description: 'The conformance classes', type: ConformanceResponseDto })
  conformance(): { conformsTo: string[] } {
    return this.catalog.conformance();
  }

  @Get('collections')
  @ApiOperation({
    summary: 'List collections',
    description: 'The collections you own or hold `rs_catalog_<owner>:<collection>_read` for.',
  })
  @ApiOkResponse({ description: 'The readable STAC Collections', type: StacCollectionsResponseDto })
  listCollections(@CurrentPrincipal() principal: AuthPrincipal): Promise<StacObject> {
    return this.catalog.listCollections(principal, this.baseUrl);
  }

  @Post('collections')
  @UseInterceptors(RequiredBodyInterceptor)
  @ApiOperation({
    summary: 'Create a collection',
    description: 'Created as `<you>:<id>`; another owner needs their `rs_catalog_<owner>:<collection>_write`.',
  })
  @ApiCreatedResponse({
    description: 'The STAC Collection',
    type: StacCollectionResponseDto,
    links: collectionLinks('$response.body#/id'),
  })
  @BAD_REQUEST
  @ApiConflictResponse({
    description: 'The collection exists (`COLLECTION_EXISTS`): PUT replaces it',
    type: ErrorResponseDto,
  })
  createCollection(@CurrentPrincipal() principal: AuthPrincipal, @Body() body: StacCollectionDto): Promise<StacObject> {
    return this.catalog.createCollection(principal, body, this.baseUrl);
  }

  @Get('collections/:collectionId')
  @RequireRoles(collectionAccess('read'))
  @ApiParam(COLLECTION_PARAM)
  @BAD_REQUEST
  @ApiNotFoundResponse({ description: 'No such collection', type: ErrorResponseDto })
  @ApiOperation({ summary: 'Get a collection', description: 'Owner, or `rs_catalog_<owner>:<collection>_read`.' })
  @ApiOkResponse({
    description: 'The STAC Collection',
    type: StacCollectionResponseDto,
    links: collectionLinks('$response.body#/id'),
  })
  getCollection(@Param('collectionId') collectionId: string): Promise<StacObject> {
    return this.catalog.getCollection(collectionId, this.baseUrl);
  }

  @Put('collections/:collectionId')
  @UseInterceptors(RequiredBodyInterceptor)
  @RequireRoles(collectionAccess('write'))
  @ApiParam(COLLECTION_PARAM)
  @BAD_REQUEST
  @ApiNotFoundResponse({ description: 'No such collection', type: ErrorResponseDto })
  @ApiOperation({ summary: 'Replace a collection', description: 'Owner, or `rs_catalog_<owner>:<collection>_write`.' })
  @ApiOkResponse({
    description: 'The STAC Collection as stored',
    type: StacCollectionResponseDto,
    links: collectionLinks('$response.body#/id'),
  })
  replaceCollection(@Param('collectionId') collectionId: string, @Body() body: StacCollectionDto): Promise<StacObject> {
    return this.catalog.replaceCollection(collectionId, body, this.baseUrl);
  }

  @Delete('collections/:collectionId')
  @HttpCode(204)
  @RequireRoles(collectionAccess('write'))
  @ApiParam(COLLECTION_PARAM)
  @BAD_REQUEST
  @ApiNoContentResponse({ description: 'Deleted with its items' })
  @ApiNotFoundResponse({ description: 'No such collection', type: ErrorResponseDto })
  @ApiOperation({
    summary: 'Delete a collection and its items',
    description: 'Owner, or `rs_catalog_<owner>:<collection>_write`.',
  })
  deleteCollection(@Param('collectionId') collectionId: string): Promise<void> {
    return this.catalog.deleteCollection(collectionId);
  }

  @Get('collections/:collectionId/items')
  @RequireRoles(collectionAccess('read'))
  @ApiParam(COLLECTION_PARAM)
  @BAD_REQUEST
  @ApiOkResponse({
    description: 'STAC FeatureCollection, newest first, with a `next` link while more remain',
    type: StacFeatureCollectionResponseDto,
    links: itemLinks('/features/0'),
  })
  @ApiNotFoundResponse({ description: 'No such collection', type: ErrorResponseDto })
  @ApiOperation({ summary: 'List items', description: 'Owner, or `rs_catalog_<owner>:<collection>_read`.' })
  listItems(@Param('collectionId') collectionId: string, @Query() query: ItemsQueryDto): Promise<StacObject> {
    const href = `${this.baseUrl}/catalog/collections/${collectionId}/items`;
    return this.catalog.listItems(collectionId, query, this.baseUrl, nextGet(href, query));
  }

  @Post('collections/:collectionId/items')
  @UseInterceptors(RequiredBodyInterceptor)
  @RequireRoles(collectionAccess('write'))
  @ApiParam(COLLECTION_PARAM)
  @BAD_REQUEST
  @ApiCreatedResponse({ description: 'The STAC Item', type: StacItemResponseDto, links: itemLinks('') })
  @ApiNotFoundResponse({ description: 'No such collection', type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'The item exists (`ITEM_EXISTS`): PUT replaces it', type: ErrorResponseDto })
  @ApiOperation({ summary: 'Create an item', description: 'Owner, or `rs_catalog_<owner>:<collection>_write`.' })
  createItem(@Param('collectionId') collectionId: string, @Body() body: StacItemDto): Promise<StacObject> {
    return this.catalog.createItem(collectionId, body, this.baseUrl);
  }

  @Get('collections/:collectionId/items/:itemId')
  @RequireRoles(collectionAccess('read'))
  @ApiParam(COLLECTION_PARAM)
  @BAD_REQUEST
  @ApiParam(ITEM_PARAM)
  @ApiNotFoundResponse({ description: 'No such collection or item', type: ErrorResponseDto })
  @ApiOperation({ summary: 'Get an item', description: 'Owner, or `rs_catalog_<owner>:<collection>_read`.' })
  @ApiOkResponse({ description: 'The STAC Item', type: StacItemResponseDto, links: itemLinks('') })
  getItem(@Param('collectionId') collectionId: string, @Param('itemId') itemId: string): Promise<StacObject> {
    return this.catalog.getItem(collectionId, itemId, this.baseUrl);
  }

  @Put('collections/:collectionId/items/:itemId')
  @UseInterceptors(RequiredBodyInterceptor)
  @RequireRoles(collectionAccess('write'))
  @ApiParam(COLLECTION_PARAM)
  @BAD_REQUEST
  @ApiParam(ITEM_PARAM)
  @ApiNotFoundResponse({ description: 'No such collection or item', type: ErrorResponseDto })
  @ApiOperation({ summary: 'Replace an item', description: 'Owner, or `rs_catalog_<owner>:<collection>_write`.' })
  @ApiOkResponse({ description: 'The STAC Item as stored', type: StacItemResponseDto, links: itemLinks('') })
  replaceItem(
    @Param('collectionId') collectionId: string,
    @Param('itemId') itemId: string,
    @Body() body: StacItemDto,
  ): Promise<StacObject> {
    return this.catalog.replaceItem(collectionId, itemId, body, this.baseUrl);
  }

  @Delete('collections/:collectionId/items/:itemId')
  @HttpCode(204)
  @RequireRoles(collectionAccess('write'))
  @ApiParam(COLLECTION_PARAM)
  @BAD_REQUEST
  @ApiParam(ITEM_PARAM)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such collection or item', type: ErrorResponseDto })
  @ApiOperation({ summary: 'Delete an item', description: 'Owner, or `rs_catalog_<owner>:<collection>_write`.' })
  deleteItem(@Param('collectionId') collectionId: string, @Param('itemId') itemId: string): Promise<void> {
    return this.catalog.deleteItem(collectionId, itemId);
  }

  @Get('search')
  @ApiOperation({
    summary: 'Search items',
    description: 'Across the named collections (each must be readable) or every collection you may read.',
  })
  @ApiOkResponse({
    description: 'STAC FeatureCollection, newest first, with a `next` link while more remain',
    type: StacFeatureCollectionResponseDto,
  })
  @BAD_REQUEST
  search(@CurrentPrincipal() principal: AuthPrincipal, @Query() query: SearchQueryDto): Promise<StacObject> {
    const criteria = {
      ...query,
      collections: CatalogService.list(query.collections),
      ids: CatalogService.list(query.ids),
    };
    return this.catalog.search(principal, criteria, this.baseUrl, nextGet(`${this.baseUrl}/catalog/search`, query));
  }

  @Post('search')
  @UseInterceptors(RequiredBodyInterceptor)
  @HttpCode(200)
  @ApiBody({ type: SearchBodyDto, required: true })
  @BAD_REQUEST
  @ApiOperation({
    summary: 'Search items (JSON body)',
    description: 'As GET /catalog/search, with the criteria in the body.',
  })
  @ApiOkResponse({
    description: 'STAC FeatureCollection, with a POST `next` link while more remain',
    type: StacFeatureCollectionResponseDto,
  })
  searchPost(@CurrentPrincipal() principal: AuthPrincipal, @Body() body: SearchBodyDto): Promise<StacObject> {
    const href = `${this.baseUrl}/catalog/search`;
    return this.catalog.search(principal, body, this.baseUrl, (offset) => ({
      rel: 'next',
      href,
      type: 'application/geo+json',
      method: 'POST',
      body: { ...body, offset },
    }));
  }
}
