import { Controller, Get, Headers, Query, Req } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto, Public } from '@rs/service-kit';
import type { Request } from 'express';
import { KeyCheckResultDto } from '../api-keys/dto/api-key.responses';
import { KeyCheckService } from './key-check.service';

@ApiTags('API Key Check')
@Controller('auth')
export class KeyCheckController {
  constructor(private readonly checker: KeyCheckService) {}

  // Public on purpose: the key in the request is the credential being checked.
  @Public()
  @Get('check_key')
  @ApiOperation({
    summary: 'Check Api Key',
    description:
      'Validates an API key and returns who it belongs to, their roles and the key configuration. Services call this (through the shared guard). ' +
      'The key comes from the `x-api-key` header, the `api-key` query parameter, or a `/k/<key>/auth/check_key` path prefix for tools that cannot set headers.',
  })
  @ApiHeader({ name: 'x-api-key', required: false, description: 'The API key' })
  @ApiQuery({ name: 'api-key', required: false, description: 'The API key, when a header cannot be set' })
  @ApiOkResponse({ description: 'The key is valid: its owner, roles and configuration', type: KeyCheckResultDto })
  @ApiUnauthorizedResponse({ description: 'No key given', type: ErrorResponseDto })
  @ApiForbiddenResponse({
    description: 'Key malformed, unknown, revoked, expired, owner disabled, or referer not allowed',
    type: ErrorResponseDto,
  })
  @ApiTooManyRequestsResponse({
    description: 'Too many failed checks from this address (see Retry-After)',
    type: ErrorResponseDto,
  })
  check(
    @Req() request: Request,
    @Headers('x-api-key') headerKey: string | undefined,
    @Query('api-key') queryKey: string | undefined,
  ): Promise<KeyCheckResultDto> {
    return this.checker.check(headerKey || queryKey, {
      ip: request.ip ?? 'unknown',
      referer: request.headers.referer,
      origin: typeof request.headers.origin === 'string' ? request.headers.origin : undefined,
    });
  }
}
