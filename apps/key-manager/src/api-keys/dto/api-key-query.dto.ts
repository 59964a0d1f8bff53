import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

/** "true"/"false" query text to a boolean; anything else stays as is and fails @IsBoolean. */
const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export class CreateApiKeyQuery {
  @ApiProperty({
    description: 'A name that reminds you what the key is for (1–128 characters).',
    example: 'my-notebook',
  })
  @IsString({ message: "Query parameter 'name' is required" })
  name!: string;

  @ApiPropertyOptional({
    description:
      'true: the key never expires (refused when the platform does not allow such keys). ' +
      'false (default): it expires after the default life (15 days) or on `expiration-date`.',
    default: false,
  })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: "Query parameter 'never_expires' must be true or false" })
  never_expires?: boolean;

  @ApiPropertyOptional({
    name: 'expiration-date',
    description:
      'Expiration date, ISO 8601 (e.g. 2030-01-31T00:00:00Z). Default: now + 15 days. ' +
      'At most the maximum key life from now.',
  })
  @IsOptional()
  @IsString({ message: "Query parameter 'expiration-date' must be an ISO 8601 date" })
  'expiration-date'?: string;

  @ApiPropertyOptional({
    // No `example`: Swagger UI's Try it out would pre-fill it and users would send it unknowingly.
    description:
      'Free configuration for this key, a JSON object given as text, e.g. `{"project": "s1-ops"}`. Keycloak attributes named by the platform are merged in and win.',
  })
  @IsOptional()
  @IsString({ message: "Query parameter 'config' must be a JSON object given as a string" })
  @MaxLength(8192, { message: "Query parameter 'config' must be at most 8192 characters" })
  config?: string;

  @ApiPropertyOptional({
    // No `example`: a pre-filled referer would make the key unusable from any other site, Swagger UI included.
    description:
      'Sites allowed to use this key, checked against the Referer/Origin of each request: host names (e.g. `portal.example.com`, `*.esa.int`) or origins. ' +
      'Repeat the parameter for several. Empty (default): any site.',
    type: [String],
  })
  @IsOptional()
  @IsString({ each: true, message: "Query parameter 'allowed_referers' must be text" })
  allowed_referers?: string | string[];
}

/** Names a key by its value or by its id (for a user who lost the value). */
export class KeyTargetQuery {
  @ApiPropertyOptional({ name: 'api-key', description: 'The API key value (rsk_…). Either this or `id`.' })
  @IsOptional()
  @IsString({ message: "Query parameter 'api-key' must be text" })
  'api-key'?: string;

  @ApiPropertyOptional({ description: 'The key id shown by "List My Api Keys". Either this or `api-key`.' })
  @IsOptional()
  @IsUUID('4', { message: "Query parameter 'id' must be a key id (UUID)" })
  id?: string;
}

export class RenewApiKeyQuery extends KeyTargetQuery {
  @ApiPropertyOptional({
    name: 'expiration-date',
    description:
      'New expiration date, ISO 8601 (e.g. 2030-01-31T00:00:00Z). Default: now + 15 days. At most the maximum key life from now.',
  })
  @IsOptional()
  @IsString({ message: "Query parameter 'expiration-date' must be an ISO 8601 date" })
  'expiration-date'?: string;
}

export class AdminRevokeQuery extends KeyTargetQuery {
  @ApiPropertyOptional({ description: 'Why the key is revoked; kept in the audit trail.' })
  @IsOptional()
  @IsString()
  @MaxLength(500, { message: "Query parameter 'reason' must be at most 500 characters" })
  reason?: string;
}

export class AdminListQuery {
  @ApiPropertyOptional({ description: 'Keycloak user id (sub) whose keys to list.' })
  @IsOptional()
  @IsString()
  user_id?: string;

  @ApiPropertyOptional({ description: 'Keycloak user name whose keys to list.' })
  @IsOptional()
  @IsString()
  user_login?: string;
}
