import { Module } from '@nestjs/common';
import { AdminAuditController } from './admin-audit.controller';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

/** GET /auth/api_key/audit (the owner) and GET /auth/admin/api_key/audit (any key): a key's audit trail. */
@Module({
  controllers: [AuditController, AdminAuditController],
  providers: [AuditService],
})
export class AuditModule {}
