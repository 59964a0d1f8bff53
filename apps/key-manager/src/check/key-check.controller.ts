import { Controller, Get, Headers, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
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
import { KeyCheckCallerResolver } from './key-check-caller.resolver';
import { KeyCheckService } from './key-check.service';

@ApiTags('API Key Check')
@Controller('auth')
export class KeyCheckController {
  constructor(
    private readonly checker: KeyCheckService,
    private readonly callers: KeyCheckCallerResolver,
  ) {}

  // Public on purpose: the key in the request is the credential being checked; a guard adds its service token.
  @Public()
  @Get('check_key')
  @ApiOperation({
    summary: 'Check Api Key',
    description:
      'Validates an API key and returns who it belongs to, their roles and the key configuration. Services call this (through the shared guard). ' +
      'The key comes from the `x-api-key` header, the `api-key` query parameter, or a `/k/<key>/auth/check_key` path prefix for tools that cannot set headers.',
  })
  @ApiHeader({ name: 'x-api-key', required: false, description: 'The API key' })
  @ApiHeader({
    name: 'authorization',
    required: false,
    description:
      "`Bearer <token>` of a guarded service's Keycloak client " +
      '(client credentials, listed in KEY_CHECK_SERVICE_CLIENTS): ' +
      'failures are then counted against the end client that the service names in `X-Forwarded-For`. Without it ' +
      "they are counted against the caller's own address.",
  })
  @ApiHeader({
    name: 'x-forwarded-for',
    required: false,
    description: "With a service token: the end client's address",
  })
  @ApiQuery({ name: 'api-key', required: false, description: 'The API key, when a header cannot be set' })
  @ApiOkResponse({ description: 'The key is valid: its owner, roles and configuration', type: KeyCheckResultDto })
  @ApiUnauthorizedResponse({
    description: 'No key given (KEY_MISSING), or a bearer token that does not check out (SERVICE_TOKEN_INVALID)',
    type: ErrorResponseDto,
  })
  @ApiBadRequestResponse({
    description: 'With a service token, an X-Forwarded-For that does not start with an IP address',
    type: ErrorResponseDto,
  })
  @ApiForbiddenResponse({
    description: 'Key malformed, unknown, revoked, expired, owner disabled, or referer not allowed',
    type: ErrorResponseDto,
  })
  @ApiTooManyRequestsResponse({
    description: 'Too many failed checks from this address (see Retry-After)',
    type: ErrorResponseDto,
  })
  async check(
    @Req() request: Request,
    @Headers('x-api-key') headerKey: string | undefined,
    @Query('api-key') queryKey: string | undefined,
  ): Promise<KeyCheckResultDto> {
    const caller = await this.callers.resolve(request);
    return this.checker.check(headerKey || queryKey, {
      ip: caller.clientAddress,
      referer: request.headers.referer,
      origin: typeof request.headers.origin === 'string' ? request.headers.origin : undefined,
    });
  }
}
