import { ApiResponse } from '@nestjs/swagger';

/**
 * Documents the 431 Node's HTTP server answers, before any route and without a body, when the request line and
 * headers exceed its header size limit (`--max-http-header-size`): a long enough query string reaches it.
 */
export function ApiRequestHeadTooLarge(): ClassDecorator & MethodDecorator {
  return ApiResponse({
    status: 431,
    description: 'The request line and headers are too large (a query string too long); answered without a body',
  });
}
