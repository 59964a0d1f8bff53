import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { BearerOnly } from '@rs/auth-guard';
import { ApiRequestHeadTooLarge, ErrorResponseDto } from '@rs/service-kit';

/**
 * What every key route controller of the key manager states: its Swagger tag, Keycloak login only (an API key
 * never manages keys), a 400 naming the parameter, and a 503 while `unavailable` is down.
 */
export function KeyRoutes(tag: string, unavailable = 'The database'): ClassDecorator {
  return applyDecorators(
    ApiTags(tag),
    ApiRequestHeadTooLarge(),
    BearerOnly(),
    ApiBadRequestResponse({ description: 'A parameter is invalid; `parameter` names it', type: ErrorResponseDto }),
    ApiServiceUnavailableResponse({
      description: `${unavailable} is unreachable; retry shortly`,
      type: ErrorResponseDto,
    }),
  );
}

/** The 404 of a route about one key: another user's key answers as if it did not exist. */
export function ApiKeyNotFound(description = 'No such key among yours'): MethodDecorator {
  return ApiNotFoundResponse({ description, type: ErrorResponseDto });
}
