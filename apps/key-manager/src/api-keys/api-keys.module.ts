import { Module } from '@nestjs/common';
import { KeyCheckController } from '../check/key-check.controller';
import { KeyCheckService } from '../check/key-check.service';
import { CheckRateLimiter } from '../rate-limit/check-rate-limiter';
import { AdminController } from './admin.controller';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { MeController } from './me.controller';

@Module({
  controllers: [MeController, ApiKeysController, AdminController, KeyCheckController],
  providers: [ApiKeysService, KeyCheckService, CheckRateLimiter],
  exports: [CheckRateLimiter],
})
export class ApiKeysModule {}
