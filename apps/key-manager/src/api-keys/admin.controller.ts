import { Controller, Get, Query } from '@nestjs/common';
import { ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuthPrincipal, BearerOnly, CurrentPrincipal, RequireRoles } from '@rs/auth-guard';
import { ErrorResponseDto } from '@rs/service-kit';
import { callerOf } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import type { ApiKeyView } from '@rs/key-store';
import { AdminListQuery, AdminRevokeQuery } from './dto/api-key-query.dto';
import { ApiKeyViewDto, RevokeResultDto } from './dto/api-key.responses';
import { API_KEY_ADMIN_ROLE } from '@rs/rs-roles';

@ApiTags('API Key Administration')
@BearerOnly()
@RequireRoles(API_KEY_ADMIN_ROLE)
@ApiForbiddenResponse({ description: `The caller lacks the ${API_KEY_ADMIN_ROLE} realm role`, type: ErrorResponseDto })
@Controller('auth/admin')
export class AdminController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get('api_keys')
  @ApiOperation({
    summary: "List a User's Api Keys",
    description: `Every key of one user, by Keycloak id or user name. Requires ${API_KEY_ADMIN_ROLE}.`,
  })
  @ApiOkResponse({ description: "The user's keys (an empty list when none)", type: [ApiKeyViewDto] })
  list(@Query() query: AdminListQuery): Promise<ApiKeyView[]> {
    return this.apiKeys.listForUser(query);
  }

  @Get('api_key/revoke')
  @ApiOperation({
    summary: 'Revoke Any Api Key',
    description:
      `Revokes any user's key by value or id; the reason goes to the audit trail. ` +
      `The owner cannot renew a key revoked here ` +
      `(also when they had revoked it themselves first). Requires ${API_KEY_ADMIN_ROLE}.`,
  })
  @ApiOkResponse({ description: 'The key is revoked', type: RevokeResultDto })
  @ApiNotFoundResponse({ description: 'No such key', type: ErrorResponseDto })
  revoke(@CurrentPrincipal() principal: AuthPrincipal, @Query() query: AdminRevokeQuery): Promise<RevokeResultDto> {
    return this.apiKeys.revoke(callerOf(principal, true), { apiKey: query['api-key'], id: query.id }, query.reason);
  }
}
