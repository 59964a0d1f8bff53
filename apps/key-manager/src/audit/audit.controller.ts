import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { type AuthPrincipal, CurrentPrincipal } from '@rs/auth-guard';
import { ApiKeyNotFound, KeyRoutes } from '../key-routes.decorator';
import { AuditService } from './audit.service';
import { AuditQuery } from './dto/audit-query.dto';
import { AuditTrailDto } from './dto/audit-trail.dto';

/** The owner's view of a key's audit trail. Keycloak login only, like the other key routes. */
@KeyRoutes('API Key Manager')
@Controller('auth/api_key')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('audit')
  @ApiOperation({
    summary: 'Show Api Key History',
    description:
      'What happened to one of your keys, newest first: created, renewed, rotated, revoked (by you or an ' +
      'administrator, with the reason), expired, and the changes of your Keycloak account that touched it.',
  })
  @ApiOkResponse({ description: "The key's audit trail", type: AuditTrailDto })
  @ApiKeyNotFound()
  trail(@CurrentPrincipal() principal: AuthPrincipal, @Query() query: AuditQuery): Promise<AuditTrailDto> {
    return this.audit.trail(query.id, principal.user_id);
  }
}
