import { ApiProperty } from '@nestjs/swagger';
import { REVOCATION_SOURCES, type RevocationSource } from '@rs/key-domain';

export class ApiKeyViewDto {
  @ApiProperty({ description: 'Key id (use it to revoke or renew a key whose value you lost)' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({
    description: 'Non-secret reminder of the value: prefix, 4 first and 4 last characters',
    example: 'rsk_AbCd…WxYz',
  })
  hint!: string;
  @ApiProperty() user_id!: string;
  @ApiProperty() user_login!: string;
  @ApiProperty({ description: 'false when the owner is disabled or deleted in Keycloak' }) user_active!: boolean;
  @ApiProperty({ description: 'false once revoked' }) is_active!: boolean;
  @ApiProperty() never_expire!: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) expiration_date!: string | null;
  @ApiProperty({ format: 'date-time' }) creation_date!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) latest_query_date!: string | null;
  @ApiProperty() total_queries!: number;
  @ApiProperty({ format: 'date-time', description: 'Last refresh of roles and attributes from Keycloak' })
  latest_sync_date!: string;
  @ApiProperty({ type: [String] }) iam_roles!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) config!: Record<string, unknown>;
  @ApiProperty({ type: [String] }) allowed_referers!: string[];
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) revoked_at!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: REVOCATION_SOURCES,
    description:
      'Why the key last stopped working: `owner` or `admin` revoked it, `expiry`, or `user_disabled`; ' +
      'null while it works. A key revoked by `admin` cannot be renewed.',
  })
  revoked_by!: RevocationSource | null;
}

export class RevokeResultDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: false }) is_active!: false;
  @ApiProperty({ format: 'date-time' }) revoked_at!: string;
  @ApiProperty({ example: 'API key revoked' }) message!: string;
}

export class RenewResultDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: true }) is_active!: true;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) expiration_date!: string | null;
  @ApiProperty({ description: 'true when the key had been revoked and is active again' }) reactivated!: boolean;
  @ApiProperty({ example: 'API key renewed' }) message!: string;
}

export class KeyCheckResultDto {
  @ApiProperty() user_id!: string;
  @ApiProperty() user_login!: string;
  @ApiProperty({ type: [String] }) iam_roles!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) config!: Record<string, unknown>;
  @ApiProperty() key_id!: string;
  @ApiProperty({ type: [String] }) allowed_referers!: string[];
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) expiration_date!: string | null;
  @ApiProperty() never_expire!: boolean;
}

export class MeDto {
  @ApiProperty({ description: 'Keycloak user id (sub)' }) user_id!: string;
  @ApiProperty() user_login!: string;
  @ApiProperty({ type: [String], description: 'Realm roles' }) roles!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Keycloak user attributes' })
  attributes!: Record<string, unknown>;
}
