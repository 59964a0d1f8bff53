import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { BearerOnly, RequireRoles } from '@rs/auth-guard';
import { API_KEY_ADMIN_ROLE } from '@rs/rs-roles';
import { ApiRequestHeadTooLarge, ErrorResponseDto } from '@rs/service-kit';
import { AuditService } from './audit.service';
import { AuditQuery } from './dto/audit-query.dto';
import { AuditTrailDto } from './dto/audit-trail.dto';

/** Any key's audit trail, for administrators; beside the other `auth/admin` routes. */
@ApiTags('API Key Administration')
@ApiRequestHeadTooLarge()
@BearerOnly()
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
  @ApiBadRequestResponse({ description: 'A parameter is invalid; `parameter` names it', type: ErrorResponseDto })
  @ApiForbiddenResponse({
    description: `The caller lacks the ${API_KEY_ADMIN_ROLE} realm role`,
    type: ErrorResponseDto,
  })
  @ApiNotFoundResponse({ description: 'No such key', type: ErrorResponseDto })
  @ApiServiceUnavailableResponse({ description: 'The database is unreachable; retry shortly', type: ErrorResponseDto })
  trail(@Query() query: AuditQuery): Promise<AuditTrailDto> {
    return this.audit.trail(query.id, null);
  }
}
