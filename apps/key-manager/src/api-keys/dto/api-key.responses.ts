import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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
  @ApiProperty({
    type: [String],
    description: 'The roles the key carries: your roles at the last sync, within `scopes` when it has some',
  })
  iam_roles!: string[];
  @ApiProperty({
    type: [String],
    nullable: true,
    description: 'The roles the key is limited to (given at creation); null: every role you hold',
  })
  scopes!: string[] | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) config!: Record<string, unknown>;
  @ApiProperty({ type: [String] }) allowed_referers!: string[];
  @ApiProperty({
    type: 'integer',
    nullable: true,
    minimum: 1,
    description: 'Requests per UTC minute the services allow this key (given at creation); null: no per-minute limit',
  })
  rate_limit_per_minute!: number | null;
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
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'When the value was last replaced by a rotation; null when never',
  })
  rotated_at!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Hint of the value the last rotation replaced, while it still works; null otherwise',
    example: 'rsk_AbCd…WxYz',
  })
  previous_hint!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'When the value the last rotation replaced stops working, while it still works; null otherwise',
  })
  previous_secret_expires_at!: string | null;
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

export class RotateResultDto {
  @ApiProperty({ description: 'Key id: unchanged by the rotation' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({
    description: 'The new key value. **Copy it now: it is shown this once**; only its hash is stored.',
    example: 'rsk_3xAmPl3k3yV4lu3000000000000000Ab12Cd',
  })
  api_key!: string;
  @ApiProperty({ description: 'Non-secret reminder of the new value', example: 'rsk_3xAm…12Cd' }) hint!: string;
  @ApiProperty({ format: 'date-time' }) rotated_at!: string;
  @ApiProperty({
    format: 'date-time',
    description: 'When the replaced value stops working (now, when the grace period is 0)',
  })
  previous_secret_expires_at!: string;
  @ApiProperty({ example: 'API key rotated' }) message!: string;
}

export class KeyCheckResultDto {
  @ApiProperty() user_id!: string;
  @ApiProperty() user_login!: string;
  @ApiProperty({ type: [String], description: "The owner's roles, within the key's scopes when it has some" })
  iam_roles!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) config!: Record<string, unknown>;
  @ApiProperty() key_id!: string;
  @ApiProperty({ type: [String] }) allowed_referers!: string[];
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description: "The key's limit of requests per UTC minute, enforced by the services; absent: none",
  })
  rate_limit_per_minute?: number;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description:
      "When this value stops working: the key's expiration date, or for a value a rotation replaced the end of " +
      'its grace period when sooner; null when it never expires',
  })
  expiration_date!: string | null;
  @ApiProperty() never_expire!: boolean;
}

export class MeDto {
  @ApiProperty({ description: 'Keycloak user id (sub)' }) user_id!: string;
  @ApiProperty() user_login!: string;
  @ApiProperty({ type: [String], description: 'Realm roles' }) roles!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Keycloak user attributes' })
  attributes!: Record<string, unknown>;
}
