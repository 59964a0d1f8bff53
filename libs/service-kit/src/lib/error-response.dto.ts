import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The error body of every app (see DomainExceptionFilter), for Swagger. */
export class ErrorResponseDto {
  @ApiProperty({ example: 403, description: 'HTTP status' }) statusCode!: number;
  @ApiProperty({
    example: 'KEY_REVOKED',
    description: 'Machine-readable reason (DomainErrorCode, or the HTTP status name)',
  })
  code!: string;
  @ApiProperty({ example: 'This API key has been revoked' }) message!: string;
  @ApiProperty({ description: 'Same as message (RS-Server clients read `detail`)' }) detail!: string;
  @ApiPropertyOptional({ description: 'The parameter at fault, for 400 answers', example: 'name' }) parameter?: string;
  @ApiProperty({ description: 'Quote it when reporting a problem; the logs carry the same id' })
  correlation_id!: string;
}
