import { ApiProperty } from '@nestjs/swagger';

export class UsageCountersDto {
  @ApiProperty({ description: 'Requests made with the key' }) count!: number;
  @ApiProperty() count_2xx!: number;
  @ApiProperty() count_3xx!: number;
  @ApiProperty() count_4xx!: number;
  @ApiProperty() count_5xx!: number;
  @ApiProperty({ description: 'Mean service latency in milliseconds (0 without requests)' }) latency_avg_ms!: number;
  @ApiProperty({ description: 'Highest service latency in milliseconds' }) latency_max_ms!: number;
}

export class UsageBucketDto extends UsageCountersDto {
  @ApiProperty({ format: 'date-time', description: 'Start of the hour or day (UTC)' }) start!: string;
}

export class UsageRouteDto extends UsageCountersDto {
  @ApiProperty({ example: 'cadip' }) service!: string;
  @ApiProperty({ example: 'GET' }) method!: string;
  @ApiProperty({ example: '/cadip/:station/session', description: 'Route template, never the raw URL' }) route!: string;
}

export class UsageReportDto {
  @ApiProperty() key_id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() user_id!: string;
  @ApiProperty({ enum: ['hour', 'day'] }) granularity!: 'hour' | 'day';
  @ApiProperty({ format: 'date-time', description: 'Start of the first bucket of the range' }) from!: string;
  @ApiProperty({ format: 'date-time', description: 'End of the range (excluded)' }) to!: string;
  @ApiProperty({ type: UsageCountersDto, description: 'The whole range' }) total!: UsageCountersDto;
  @ApiProperty({ type: [UsageBucketDto], description: 'Buckets with at least one request, oldest first' })
  buckets!: UsageBucketDto[];
  @ApiProperty({ type: [UsageRouteDto], description: 'Per service, method and route over the range, busiest first' })
  routes!: UsageRouteDto[];
}
