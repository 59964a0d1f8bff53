import { ApiProperty } from '@nestjs/swagger';
import { REVOCATION_SOURCES, type RevocationSource } from '@rs/key-domain';
import { AUDIT_ACTIONS, type AuditAction } from '@rs/key-store';

export class AuditEntryDto {
  @ApiProperty({ enum: AUDIT_ACTIONS, description: 'What happened to the key' }) action!: AuditAction;
  @ApiProperty({
    description: 'Keycloak user id of whoever acted (the owner or an administrator), or `system:<component>`',
    example: 'system:key-worker',
  })
  actor!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Why, when known (an administrator gives a reason)' })
  reason!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: REVOCATION_SOURCES,
    description: 'On actions that stop the key: who or what stopped it; null otherwise',
  })
  revoked_by!: RevocationSource | null;
  @ApiProperty({ format: 'date-time' }) time!: string;
}

export class AuditTrailDto {
  @ApiProperty() key_id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: "The owner's Keycloak id" }) user_id!: string;
  @ApiProperty({ description: "The owner's Keycloak user name" }) user_login!: string;
  @ApiProperty({ type: [AuditEntryDto], description: 'The most recent actions (at most 100), newest first' })
  records!: AuditEntryDto[];
}
