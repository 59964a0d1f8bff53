import { Module } from '@nestjs/common';
import { CadipController } from './cadip.controller';
import { CadipRepository } from './cadip.repository';
import { CadipService } from './cadip.service';

@Module({
  controllers: [CadipController],
  providers: [CadipService, CadipRepository],
})
export class CadipModule {}
