import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { type AuthPrincipal, CurrentPrincipal } from '@rs/auth-guard';
import { API_KEY_ADMIN_ROLE } from '@rs/rs-roles';
import { ApiKeyNotFound, KeyRoutes } from '../key-routes.decorator';
import { UsageQuery } from './dto/usage-query.dto';
import { UsageReportDto } from './dto/usage-report.dto';
import { UsageService } from './usage.service';

/** Usage report of one key, from the key worker's aggregates. Keycloak login only, like the other key routes. */
@KeyRoutes('API Key Manager')
@Controller('auth/api_key')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get('usage')
  @ApiOperation({
    summary: 'Show Api Key Usage',
    description:
      'Requests made with one of your keys over a time range, per hour or per day: counts by status class (2xx/3xx/4xx/5xx), mean and highest ' +
      'latency, per bucket and per service route. Users with `' +
      API_KEY_ADMIN_ROLE +
      '` may ask for any key. Counts lag the requests by a few seconds (the usage stream is aggregated in batches).',
  })
  @ApiOkResponse({
    description: 'The usage of the key over the range: totals, buckets with requests, and routes',
    type: UsageReportDto,
  })
  @ApiKeyNotFound()
  report(@CurrentPrincipal() principal: AuthPrincipal, @Query() query: UsageQuery): Promise<UsageReportDto> {
    return this.usage.report(
      { user_id: principal.user_id, is_admin: principal.iam_roles.includes(API_KEY_ADMIN_ROLE) },
      query,
    );
  }
}
