import { Module } from '@nestjs/common';
import { AuxipController } from './auxip.controller';
import { AuxipRepository } from './auxip.repository';
import { AuxipService } from './auxip.service';

@Module({
  controllers: [AuxipController],
  providers: [AuxipService, AuxipRepository],
})
export class AuxipModule {}
