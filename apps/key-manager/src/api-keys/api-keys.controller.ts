import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiQuery } from '@nestjs/swagger';
import { DomainError, DomainErrorCode, isWellFormedApiKey, MAX_CONFIG_BYTES } from '@rs/key-domain';
import { type AuthPrincipal, CurrentPrincipal } from '@rs/auth-guard';
import { ErrorResponseDto } from '@rs/service-kit';
import { ApiKeyNotFound, KeyRoutes } from '../key-routes.decorator';
import { ApiKeysService, type Caller } from './api-keys.service';
import type { ApiKeyView } from '@rs/key-store';
import {
  CreateApiKeyQuery,
  KeyTargetQuery,
  RenewApiKeyQuery,
  RotateApiKeyQuery,
  SetApiKeyScopesQuery,
} from './dto/api-key-query.dto';
import { ApiKeyViewDto, RenewResultDto, RevokeResultDto, RotateResultDto } from './dto/api-key.responses';

/** Rotating or re-scoping needs a working key. */
const KEY_NOT_CHANGEABLE = ApiForbiddenResponse({
  description:
    'The key is revoked (`KEY_REVOKED`) or expired (`KEY_EXPIRED`): renew it first; or your account is ' +
    'disabled (`KEY_USER_DISABLED`)',
  type: ErrorResponseDto,
});

/** `config` is a JSON object in the query string: `content` (not `schema`) says so in OpenAPI 3.0. */
const CONFIG_QUERY = ApiQuery({
  name: 'config',
  required: false,
  // No `example`: Swagger UI's Try it out would pre-fill it and users would send it unknowingly.
  description:
    'Free configuration for this key, a JSON object (at most ' +
    MAX_CONFIG_BYTES +
    ' bytes), e.g. `{"project": "s1-ops"}`. Keycloak attributes named by the platform are merged in and win.',
  content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } },
});

/**
 * The key a revoke, renew, rotate or set-scopes names. A value whose checksum fails cannot be a stored key: 404, as
 * for any other.
 */
function targetOf(query: KeyTargetQuery): { apiKey?: string; id?: string } {
  const apiKey = query['api-key'];
  if (apiKey !== undefined && !isWellFormedApiKey(apiKey))
    throw new DomainError(DomainErrorCode.KEY_NOT_FOUND, 'API key not found (its checksum does not match: a typo?)');
  return { apiKey, id: query.id };
}

// OpenAPI links: how a client (and schemathesis' stateful phase) goes from one answer to the next call.
const BY_VALUE = { 'api-key': '$response.body' };
const byId = (pointer: string) => ({ id: `$response.body#${pointer}` });
const KEY_LINKS = (pointer: string) => ({
  RevokeApiKey: { operationId: 'ApiKeysController_revoke', parameters: byId(pointer) },
  RenewApiKey: { operationId: 'ApiKeysController_renew', parameters: byId(pointer) },
  RotateApiKey: { operationId: 'ApiKeysController_rotate', parameters: byId(pointer) },
  SetApiKeyScopes: { operationId: 'ApiKeysController_setScopes', parameters: byId(pointer) },
  ShowApiKeyUsage: { operationId: 'UsageController_report', parameters: byId(pointer) },
  ShowApiKeyHistory: { operationId: 'AuditController_trail', parameters: byId(pointer) },
});

export function callerOf(principal: AuthPrincipal, isAdmin = false): Caller {
  return { user_id: principal.user_id, user_login: principal.user_login, is_admin: isAdmin };
}

/** RS-Server's key management routes: same paths, parameter names and response fields. Keycloak login only. */
@KeyRoutes('API Key Manager', 'The database or Keycloak')
@Controller('auth/api_key')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get('new')
  @Header('Content-Type', 'application/json; charset=utf-8')
  // The answer is the key itself: no browser or proxy may keep a copy.
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Create Api Key',
    description:
      'Creates a personal API key and returns its value as a JSON string. **Copy it now: it is shown this once** and only its hash is stored. ' +
      'The key carries your current Keycloak roles, or only those named in `scopes`; it expires after 15 days (or on `expiration-date`) unless `never_expires` is true. ' +
      'Use it in the `x-api-key` header (or the `api-key` query parameter) of Auxip, Cadip and the STAC catalog.',
  })
  @ApiOkResponse({
    description: 'The new key value (sent with `Cache-Control: no-store`)',
    schema: { type: 'string', example: 'rsk_3xAmPl3k3yV4lu3000000000000000Ab12Cd' },
    links: {
      RevokeApiKey: { operationId: 'ApiKeysController_revoke', parameters: BY_VALUE },
      RenewApiKey: { operationId: 'ApiKeysController_renew', parameters: BY_VALUE },
      RotateApiKey: { operationId: 'ApiKeysController_rotate', parameters: BY_VALUE },
      SetApiKeyScopes: { operationId: 'ApiKeysController_setScopes', parameters: BY_VALUE },
    },
    headers: { 'Cache-Control': { description: 'Always `no-store`', schema: { type: 'string', example: 'no-store' } } },
  })
  @CONFIG_QUERY
  @ApiConflictResponse({
    description: 'You already hold the most active keys allowed (`KEY_LIMIT_REACHED`); revoke one first',
    type: ErrorResponseDto,
  })
  @ApiForbiddenResponse({
    description: 'Your Keycloak account is disabled (`KEY_USER_DISABLED`)',
    type: ErrorResponseDto,
  })
  async create(@CurrentPrincipal() principal: AuthPrincipal, @Query() query: CreateApiKeyQuery): Promise<string> {
    const value = await this.apiKeys.create(callerOf(principal), {
      name: query.name,
      never_expires: query.never_expires ?? false,
      expiration_date: query['expiration-date'],
      config: query.config,
      allowed_referers: query.allowed_referers,
      scopes: query.scopes,
      rate_limit_per_minute: query.rate_limit_per_minute,
    });
    // Nest would send a bare string as text; RS-Server clients expect a JSON string.
    return JSON.stringify(value);
  }

  @Get('list')
  @ApiOperation({
    summary: 'List My Api Keys',
    description:
      'Your keys, most recently used first, with their state, expiration, usage totals, roles and configuration. Never the values.',
  })
  @ApiOkResponse({
    description: 'Your keys (an empty list when you have none)',
    type: [ApiKeyViewDto],
    links: KEY_LINKS('/0/id'),
  })
  list(@CurrentPrincipal() principal: AuthPrincipal): Promise<ApiKeyView[]> {
    return this.apiKeys.listOwn(callerOf(principal));
  }

  @Get('revoke')
  @ApiOperation({
    summary: 'Revoke Api Key',
    description:
      'Revokes one of your keys, named by its value (`api-key`) or its id. Every service refuses it within a second. Revoking twice is harmless.',
  })
  @ApiOkResponse({ description: 'The key is revoked', type: RevokeResultDto, links: KEY_LINKS('/id') })
  @ApiKeyNotFound()
  revoke(@CurrentPrincipal() principal: AuthPrincipal, @Query() query: KeyTargetQuery): Promise<RevokeResultDto> {
    return this.apiKeys.revoke(callerOf(principal), targetOf(query));
  }

  @Get('renew')
  @ApiOperation({
    summary: 'Renew Api Key',
    description:
      'Sets a new expiration date (default now + 15 days) on one of your keys, named by value or id. ' +
      'A key you revoked is reactivated (the answer says so); a key an administrator revoked cannot be renewed. ' +
      'Roles and attributes are refreshed from Keycloak.',
  })
  @ApiOkResponse({
    description: 'The key is active until the new expiration date',
    type: RenewResultDto,
    links: KEY_LINKS('/id'),
  })
  @ApiKeyNotFound()
  @ApiForbiddenResponse({
    description:
      'An administrator revoked this key (`KEY_REVOKED_BY_ADMIN`: create a new one), ' +
      'or your account is disabled (`KEY_USER_DISABLED`)',
    type: ErrorResponseDto,
  })
  @ApiConflictResponse({
    description: 'Reactivating the key would exceed the most active keys allowed (`KEY_LIMIT_REACHED`)',
    type: ErrorResponseDto,
  })
  renew(@CurrentPrincipal() principal: AuthPrincipal, @Query() query: RenewApiKeyQuery): Promise<RenewResultDto> {
    return this.apiKeys.renew(callerOf(principal), targetOf(query), query['expiration-date']);
  }

  @Get('rotate')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Rotate Api Key',
    description:
      'Gives one of your keys, named by value or id, a new value, returned this once; its id, name, configuration, ' +
      'scopes, expiration and usage stay. The value it had keeps working for `grace_period_hours` (default 24, ' +
      'at most 7 days), then every service refuses it within a second; a value an earlier rotation replaced stops ' +
      'at once. Only a working key can be rotated: renew a revoked or expired one first.',
  })
  @ApiOkResponse({
    description: 'The new value and when the old one stops working (sent with `Cache-Control: no-store`)',
    type: RotateResultDto,
    links: KEY_LINKS('/id'),
    headers: { 'Cache-Control': { description: 'Always `no-store`', schema: { type: 'string', example: 'no-store' } } },
  })
  @ApiKeyNotFound()
  @KEY_NOT_CHANGEABLE
  rotate(@CurrentPrincipal() principal: AuthPrincipal, @Query() query: RotateApiKeyQuery): Promise<RotateResultDto> {
    return this.apiKeys.rotate(callerOf(principal), targetOf(query), query.grace_period_hours);
  }

  @Get('scopes')
  @ApiOperation({
    summary: 'Set Api Key Scopes',
    description:
      'Limits one of your keys, named by value or id, to the roles in `scopes` (each one you hold now, as on ' +
      'creation), or gives it every role you hold again with `all_roles=true`. Its value, expiration and usage stay. ' +
      'Every service sees the new roles within a second. Only a working key can be changed: renew a revoked or ' +
      'expired one first.',
  })
  @ApiOkResponse({ description: 'The key with its new scopes and roles', type: ApiKeyViewDto, links: KEY_LINKS('/id') })
  @ApiKeyNotFound()
  @KEY_NOT_CHANGEABLE
  setScopes(@CurrentPrincipal() principal: AuthPrincipal, @Query() query: SetApiKeyScopesQuery): Promise<ApiKeyView> {
    return this.apiKeys.setScopes(callerOf(principal), targetOf(query), query.scopes, query.all_roles);
  }
}
