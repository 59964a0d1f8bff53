import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { RATE_LIMIT_PER_MINUTE_CEILING } from '../../config/key-manager.config';
import {
  DEFAULT_ROTATION_GRACE_HOURS,
  MAX_ALLOWED_REFERERS,
  MAX_KEY_NAME_LENGTH,
  MAX_KEY_SCOPES,
  MAX_ROTATION_GRACE_HOURS,
  MAX_SCOPE_LENGTH,
} from '@rs/key-domain';
import {
  API_KEY_VALUE_PATTERN,
  IsDateTimeParameter,
  KEY_ID_PATTERN,
  KEY_NAME_PATTERN,
  MAX_REFERER_ENTRY_LENGTH,
  REFERER_ENTRY_PATTERN,
  SCOPE_PATTERN,
  toDecimalNumber,
} from './query-formats';

/** "true"/"false" query text to a boolean; anything else stays as is and fails @IsBoolean. */
const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

/**
 * The `scopes` query parameter (repeated): the same validation and the same OpenAPI schema wherever a key is
 * given scopes; `description` says what they do there.
 */
function ScopesParameter(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      description,
      type: 'array',
      items: { type: 'string', pattern: SCOPE_PATTERN, maxLength: MAX_SCOPE_LENGTH },
      minItems: 1,
      maxItems: MAX_KEY_SCOPES,
    }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value)),
    ArrayMaxSize(MAX_KEY_SCOPES, { message: `Query parameter 'scopes' accepts at most ${MAX_KEY_SCOPES} roles` }),
    IsString({ each: true, message: "Query parameter 'scopes' must be role names" }),
    MaxLength(MAX_SCOPE_LENGTH, {
      each: true,
      message: `Each 'scopes' entry must be at most ${MAX_SCOPE_LENGTH} characters`,
    }),
    Matches(new RegExp(SCOPE_PATTERN), {
      each: true,
      message: "Each 'scopes' entry must be a role name (no spaces nor control characters)",
    }),
  );
}

export class CreateApiKeyQuery {
  @ApiProperty({
    description: 'A name that reminds you what the key is for (1–128 characters).',
    example: 'my-notebook',
    minLength: 1,
    maxLength: MAX_KEY_NAME_LENGTH,
    pattern: KEY_NAME_PATTERN,
  })
  @IsString({ message: "Query parameter 'name' is required" })
  @MaxLength(MAX_KEY_NAME_LENGTH, {
    message: `Query parameter 'name' must be at most ${MAX_KEY_NAME_LENGTH} characters`,
  })
  @Matches(new RegExp(KEY_NAME_PATTERN), {
    message: "Query parameter 'name' must not be empty nor contain control characters",
  })
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
      'Expiration date, RFC 3339 (e.g. 2030-01-31T00:00:00Z): in the future and at most the maximum key life ' +
      '(365 days unless configured) from now. Default: now + 15 days. Not with `never_expires=true`.',
    format: 'date-time',
  })
  @IsOptional()
  @IsDateTimeParameter('expiration-date')
  'expiration-date'?: string;

  // Documented by CONFIG_QUERY on the route: a JSON object serialised in the query string.
  @IsOptional()
  @IsString({ message: "Query parameter 'config' must be a JSON object given as a string" })
  @MaxLength(8192, { message: "Query parameter 'config' must be at most 8192 characters" })
  config?: string;

  @ApiPropertyOptional({
    // No `example`: a pre-filled referer would make the key unusable from any other site, Swagger UI included.
    description:
      'Sites allowed to use this key, checked against the Referer/Origin of each request: host names (e.g. `portal.example.com`, `*.esa.int`) or origins. ' +
      `Repeat the parameter for several (at most ${MAX_ALLOWED_REFERERS}). Absent (default): any site.`,
    type: 'array',
    items: { type: 'string', pattern: REFERER_ENTRY_PATTERN, maxLength: MAX_REFERER_ENTRY_LENGTH },
    maxItems: MAX_ALLOWED_REFERERS,
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value))
  @ArrayMaxSize(MAX_ALLOWED_REFERERS, {
    message: `Query parameter 'allowed_referers' accepts at most ${MAX_ALLOWED_REFERERS} entries`,
  })
  @IsString({ each: true, message: "Query parameter 'allowed_referers' must be text" })
  @MaxLength(MAX_REFERER_ENTRY_LENGTH, {
    each: true,
    message: `Each 'allowed_referers' entry must be at most ${MAX_REFERER_ENTRY_LENGTH} characters`,
  })
  @Matches(new RegExp(REFERER_ENTRY_PATTERN), {
    each: true,
    message:
      "Each 'allowed_referers' entry must be a host name (e.g. portal.example.com, *.esa.int) or an http(s) origin",
  })
  allowed_referers?: string[];

  @ScopesParameter(
    'Roles this key is limited to, each one of your current Keycloak roles (e.g. `rs_cadip_ins_read`); repeat the ' +
      `parameter for several (at most ${MAX_KEY_SCOPES}). The key then carries these roles only, and only while you ` +
      'hold them. Absent (default): every role you hold, now and after later changes in Keycloak. ' +
      'A role you do not hold is refused (400 naming it).',
  )
  scopes?: string[];

  @ApiPropertyOptional({
    description:
      'Requests per minute the services (Auxip, Cadip, catalog) allow this key, counted per UTC minute across all ' +
      'their replicas: one more answers 429 `KEY_RATE_LIMITED` with `Retry-After`. A whole number from 1 to the ' +
      "platform's maximum (100000 unless configured). Absent (default): no per-minute limit. Your account's " +
      '`max_requests_per_day` (a Keycloak attribute) applies either way.',
    type: 'integer',
    minimum: 1,
    maximum: RATE_LIMIT_PER_MINUTE_CEILING,
    example: 60,
  })
  @IsOptional()
  @Transform(toDecimalNumber)
  @IsInt({ message: "Query parameter 'rate_limit_per_minute' must be a whole number" })
  @Min(1, { message: "Query parameter 'rate_limit_per_minute' must be at least 1" })
  @Max(RATE_LIMIT_PER_MINUTE_CEILING, {
    message: `Query parameter 'rate_limit_per_minute' must be at most ${RATE_LIMIT_PER_MINUTE_CEILING}`,
  })
  rate_limit_per_minute?: number;
}

/** Names a key by its value or by its id (for a user who lost the value): exactly one of them. */
export class KeyTargetQuery {
  @ApiPropertyOptional({
    name: 'api-key',
    description: 'The API key value (rsk_…). Exactly one of `api-key` and `id`: neither or both is a 400.',
    pattern: API_KEY_VALUE_PATTERN,
  })
  @IsOptional()
  @IsString({ message: "Query parameter 'api-key' must be text" })
  @Matches(new RegExp(API_KEY_VALUE_PATTERN), {
    message: "Query parameter 'api-key' is not a well-formed API key (rsk_…)",
  })
  'api-key'?: string;

  @ApiPropertyOptional({
    description: 'The key id shown by "List My Api Keys". Exactly one of `api-key` and `id`: neither or both is a 400.',
    format: 'uuid',
    pattern: KEY_ID_PATTERN,
  })
  @IsOptional()
  @IsUUID('4', { message: "Query parameter 'id' must be a key id (UUID)" })
  id?: string;
}

export class RenewApiKeyQuery extends KeyTargetQuery {
  @ApiPropertyOptional({
    name: 'expiration-date',
    description:
      'New expiration date, RFC 3339 (e.g. 2030-01-31T00:00:00Z): in the future and at most the maximum key ' +
      'life (365 days unless configured) from now. Default: now + 15 days.',
    format: 'date-time',
  })
  @IsOptional()
  @IsDateTimeParameter('expiration-date')
  'expiration-date'?: string;
}

export class RotateApiKeyQuery extends KeyTargetQuery {
  @ApiPropertyOptional({
    description:
      'How long the value being replaced keeps working, in hours: 0 (it stops at once) to ' +
      `${MAX_ROTATION_GRACE_HOURS} (7 days); fractions are fine (0.5 is 30 minutes). ` +
      `Default: ${DEFAULT_ROTATION_GRACE_HOURS}.`,
    type: 'number',
    minimum: 0,
    maximum: MAX_ROTATION_GRACE_HOURS,
    default: DEFAULT_ROTATION_GRACE_HOURS,
  })
  @IsOptional()
  @Transform(toDecimalNumber)
  @IsNumber(
    { allowNaN: false, allowInfinity: false },
    { message: "Query parameter 'grace_period_hours' must be a number of hours" },
  )
  @Min(0, { message: "Query parameter 'grace_period_hours' must not be negative" })
  @Max(MAX_ROTATION_GRACE_HOURS, {
    message: `Query parameter 'grace_period_hours' must be at most ${MAX_ROTATION_GRACE_HOURS} (7 days)`,
  })
  grace_period_hours?: number;
}

/** New scopes of a key: `scopes`, or `all_roles=true` to lift them; exactly one (the service checks). */
export class SetApiKeyScopesQuery extends KeyTargetQuery {
  @ScopesParameter(
    'The roles the key is limited to from now on, replacing its scopes: each one of your current Keycloak roles ' +
      `(e.g. \`rs_cadip_ins_read\`); repeat the parameter for several (at most ${MAX_KEY_SCOPES}). ` +
      'Give either `scopes` or `all_roles=true`: neither or both is a 400, as is a role you do not hold (named).',
  )
  scopes?: string[];

  @ApiPropertyOptional({
    description:
      'true: lift the scopes, so the key carries every role you hold, now and after later changes in Keycloak ' +
      '(as a key created without scopes). Not with `scopes`.',
    default: false,
  })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: "Query parameter 'all_roles' must be true or false" })
  all_roles?: boolean;
}

export class AdminRevokeQuery extends KeyTargetQuery {
  @ApiPropertyOptional({ description: 'Why the key is revoked; kept in the audit trail.', maxLength: 500 })
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
