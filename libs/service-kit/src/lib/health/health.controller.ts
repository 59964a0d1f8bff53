import { errorMessage } from '../retry.util';
import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '../error-response.dto';
import { Public } from '../public.decorator';
import { HEALTH_CHECKS, type HealthCheck } from './health.types';

const CHECK_TIMEOUT_MS = 2000;

export class LivenessDto {
  @ApiProperty({ example: 'ok' }) status!: 'ok';
}

export class ReadinessReport {
  @ApiProperty({ enum: ['ok', 'unavailable'] }) status!: 'ok' | 'unavailable';
  @ApiProperty({
    description: "Each dependency: 'up' or 'down: <reason>'",
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { mongodb: 'up', kafka: 'up' },
  })
  checks!: Record<string, string>;
}

async function run(check: HealthCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return 'up';
  } catch (error) {
    return `down: ${errorMessage(error)}`;
  } finally {
    clearTimeout(timer);
  }
}

@ApiTags('Operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[]) {}

  @Get()
  @ApiOperation({ summary: 'Liveness', description: 'Answers 200 while the process is able to serve requests.' })
  @ApiOkResponse({ description: 'The process is alive', type: LivenessDto })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness', description: 'Checks every dependency; 503 names those that are down.' })
  @ApiOkResponse({ description: 'Every dependency answers', type: ReadinessReport })
  @ApiServiceUnavailableResponse({
    description: 'At least one dependency is down; `message` names them',
    type: ErrorResponseDto,
  })
  async ready(): Promise<ReadinessReport> {
    const results = await Promise.all(this.checks.map(async (check) => [check.name, await run(check)] as const));
    const report: ReadinessReport = {
      status: results.every(([, result]) => result === 'up') ? 'ok' : 'unavailable',
      checks: Object.fromEntries(results),
    };
    if (report.status !== 'ok')
      throw new ServiceUnavailableException({ ...report, code: 'DEPENDENCY_UNAVAILABLE', message: describe(report) });
    return report;
  }
}

function describe(report: ReadinessReport): string {
  const down = Object.entries(report.checks).filter(([, result]) => result !== 'up');
  return `Not ready: ${down.map(([name, result]) => `${name} ${result}`).join('; ')}`;
}
