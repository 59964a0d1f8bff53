import { Module } from '@nestjs/common';
import { FrontendController } from './frontend.controller';
import { FRONTEND_FETCH, FrontendDocumentService } from './frontend-document.service';

/** The RS-Server frontend at /frontend/docs: one Swagger UI over every service, fed by their own documents. */
@Module({
  controllers: [FrontendController],
  providers: [
    FrontendDocumentService,
    { provide: FRONTEND_FETCH, useValue: (...args: Parameters<typeof fetch>) => fetch(...args) },
  ],
  exports: [FrontendDocumentService],
})
export class FrontendModule {}
