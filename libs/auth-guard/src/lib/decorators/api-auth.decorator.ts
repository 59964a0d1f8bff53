import { applyDecorators } from '@nestjs/common';
import { ApiOAuth2, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { API_KEY_SCHEME, ErrorResponseDto, OAUTH2_SCHEME } from '@rs/service-kit';

// The guard's per-key limit answers (docs/auth-guard.md, Quotas); a failed-check throttle sends Retry-After only.
const RATE_LIMITED_HEADERS = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } },
  'RateLimit-Limit': {
    description: "The key's limit in the window that refused the request",
    schema: { type: 'integer' },
  },
  'RateLimit-Remaining': { description: 'Requests left in that window (0)', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until that window ends', schema: { type: 'integer' } },
};

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
      description:
        "The API key's limit is reached: `KEY_RATE_LIMITED` (its `rate_limit_per_minute`, per UTC minute) or " +
        "`KEY_QUOTA_EXCEEDED` (its owner's `max_requests_per_day`, per UTC day); or too many failed API key checks " +
        'from this client (`RATE_LIMITED`). Retry after `Retry-After` seconds.',
      type: ErrorResponseDto,
      headers: RATE_LIMITED_HEADERS,
    }),
    ApiResponse({
      status: 503,
      description: 'The API key could not be verified (key manager unreachable)',
      type: ErrorResponseDto,
    }),
  );
}
