import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { DomainErrorCode } from '@rs/key-domain';
import { ErrorResponseDto } from '../error-response.dto';
import { Public } from '../public.decorator';
import { ReadinessService } from './readiness.service';

/** What the public port says when the app is not ready: which dependency is down is for the management port. */
export const NOT_READY_MESSAGE = 'Not ready: a backing service is unavailable; retry shortly';

export class LivenessDto {
  @ApiProperty({ example: 'ok' }) status!: 'ok';
}

export class ReadinessDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' }) status!: 'ok';
}

/**
 * The public health routes: liveness, and readiness as up (200) or down (503) only. The report of each
 * dependency is served on the management port (see ManagementServer).
 */
@ApiTags('Operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get()
  @ApiOperation({ summary: 'Liveness', description: 'Answers 200 while the process is able to serve requests.' })
  @ApiOkResponse({ description: 'The process is alive', type: LivenessDto })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness',
    description:
      'Checks every dependency the service needs: 200 when all answer, 503 otherwise. Which one is down is ' +
      'reported on the management port only.',
  })
  @ApiOkResponse({ description: 'Every dependency answers', type: ReadinessDto })
  @ApiServiceUnavailableResponse({
    description: 'At least one dependency is down (`code` DEPENDENCY_UNAVAILABLE)',
    type: ErrorResponseDto,
  })
  async ready(): Promise<ReadinessDto> {
    const report = await this.readiness.report();
    if (report.status !== 'ok')
      throw new ServiceUnavailableException({
        code: DomainErrorCode.DEPENDENCY_UNAVAILABLE,
        message: NOT_READY_MESSAGE,
      });
    return { status: 'ok' };
  }
}
