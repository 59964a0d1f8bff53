import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { type AuthPrincipal, BearerOnly, CurrentPrincipal } from '@rs/auth-guard';
import { ApiRequestHeadTooLarge, ErrorResponseDto } from '@rs/service-kit';
import { AuditService } from './audit.service';
import { AuditQuery } from './dto/audit-query.dto';
import { AuditTrailDto } from './dto/audit-trail.dto';

/** The owner's view of a key's audit trail. Keycloak login only, like the other key routes. */
@ApiTags('API Key Manager')
@ApiRequestHeadTooLarge()
@BearerOnly()
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
  @ApiBadRequestResponse({ description: 'A parameter is invalid; `parameter` names it', type: ErrorResponseDto })
  @ApiNotFoundResponse({ description: 'No such key among yours', type: ErrorResponseDto })
  @ApiServiceUnavailableResponse({ description: 'The database is unreachable; retry shortly', type: ErrorResponseDto })
  trail(@CurrentPrincipal() principal: AuthPrincipal, @Query() query: AuditQuery): Promise<AuditTrailDto> {
    return this.audit.trail(query.id, principal.user_id);
  }
}
