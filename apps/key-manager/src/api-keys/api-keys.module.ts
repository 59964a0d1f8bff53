import { Module } from '@nestjs/common';
import { AdminController } from './admin.controller';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { MeController } from './me.controller';

@Module({
  controllers: [MeController, ApiKeysController, AdminController],
  providers: [ApiKeysService],
})
export class ApiKeysModule {}
