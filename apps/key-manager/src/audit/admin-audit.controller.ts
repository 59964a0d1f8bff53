import { Controller, Get, Query } from '@nestjs/common';
import { ApiForbiddenResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { RequireRoles } from '@rs/auth-guard';
import { API_KEY_ADMIN_ROLE } from '@rs/rs-roles';
import { ErrorResponseDto } from '@rs/service-kit';
import { ApiKeyNotFound, KeyRoutes } from '../key-routes.decorator';
import { AuditService } from './audit.service';
import { AuditQuery } from './dto/audit-query.dto';
import { AuditTrailDto } from './dto/audit-trail.dto';

/** Any key's audit trail, for administrators; beside the other `auth/admin` routes. */
@KeyRoutes('API Key Administration')
@RequireRoles(API_KEY_ADMIN_ROLE)
@Controller('auth/admin/api_key')
export class AdminAuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('audit')
  @ApiOperation({
    summary: 'Show Any Api Key History',
    description: `The audit trail of any user's key, newest first. Requires ${API_KEY_ADMIN_ROLE}.`,
  })
  @ApiOkResponse({ description: "The key's audit trail", type: AuditTrailDto })
  @ApiForbiddenResponse({
    description: `The caller lacks the ${API_KEY_ADMIN_ROLE} realm role`,
    type: ErrorResponseDto,
  })
  @ApiKeyNotFound('No such key')
  trail(@Query() query: AuditQuery): Promise<AuditTrailDto> {
    return this.audit.trail(query.id, null);
  }
}
