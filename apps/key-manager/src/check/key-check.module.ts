import { Module } from '@nestjs/common';
import { CheckRateLimiter } from './check-rate-limiter';
import { KeyCheckController } from './key-check.controller';
import { KeyCheckService } from './key-check.service';

/** `GET /auth/check_key`, which guarded services call on a cache miss, and its failure throttle. */
@Module({
  controllers: [KeyCheckController],
  providers: [KeyCheckService, CheckRateLimiter],
  exports: [CheckRateLimiter],
})
export class KeyCheckModule {}
