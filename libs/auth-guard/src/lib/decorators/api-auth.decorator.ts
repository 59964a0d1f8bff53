import { applyDecorators } from '@nestjs/common';
import { ApiOAuth2, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { API_KEY_SCHEME, ErrorResponseDto, OAUTH2_SCHEME } from '@rs/service-kit';

/**
 * Swagger: the operation (or every operation of the controller) is protected and accepts an API key or a
 * Keycloak login; shows the lock icon and the guard's error answers.
 */
export function ApiAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiSecurity(API_KEY_SCHEME),
    ApiOAuth2(['openid'], OAUTH2_SCHEME),
    ApiResponse({
      status: 401,
      description: 'No credentials, or an invalid Keycloak access token',
      type: ErrorResponseDto,
    }),
    ApiResponse({
      status: 403,
      description: 'API key malformed, revoked, expired or refused for this referer, or a required role is missing',
      type: ErrorResponseDto,
    }),
    ApiResponse({
      status: 429,
      description: 'Too many failed API key checks from this client',
      type: ErrorResponseDto,
    }),
    ApiResponse({
      status: 503,
      description: 'The API key could not be verified (key manager unreachable)',
      type: ErrorResponseDto,
    }),
  );
}
