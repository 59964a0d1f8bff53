import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiOAuth2, ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto, OAUTH2_SCHEME } from '@rs/service-kit';
import { BEARER_ONLY_KEY } from '../auth-guard.constants';

/**
 * The route (or every route of the controller) accepts only a Keycloak access token, never an API key:
 * a leaked key must not be able to mint, renew or list keys. Also documents the OAuth2 lock in Swagger,
 * so do not add @ApiAuth() on the same route.
 */
export function BearerOnly(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(BEARER_ONLY_KEY, true),
    ApiOAuth2(['openid'], OAUTH2_SCHEME),
    ApiResponse({
      status: 401,
      description: 'Missing, expired or invalid Keycloak access token (API keys are not accepted here)',
      type: ErrorResponseDto,
    }),
    ApiResponse({ status: 403, description: 'A required role is missing', type: ErrorResponseDto }),
  );
}
