import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { CatalogController } from './catalog.controller';
import { CatalogRepository } from './catalog.repository';
import {
  CatalogCollectionDocument,
  CatalogCollectionSchema,
  CatalogItemDocument,
  CatalogItemSchema,
} from './catalog.schemas';
import { CatalogSeeder } from './catalog.seeder';
import { CatalogService } from './catalog.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: CatalogCollectionDocument.name, schema: CatalogCollectionSchema },
      { name: CatalogItemDocument.name, schema: CatalogItemSchema },
    ]),
  ],
  controllers: [CatalogController],
  providers: [CatalogService, CatalogRepository, CatalogSeeder],
  exports: [CatalogRepository],
})
export class CatalogModule {}
