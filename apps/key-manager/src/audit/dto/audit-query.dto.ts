import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { KEY_ID_PATTERN } from '../../api-keys/dto/query-formats';

export class AuditQuery {
  @ApiProperty({ description: 'The key id shown by "List My Api Keys".', format: 'uuid', pattern: KEY_ID_PATTERN })
  @IsUUID('4', { message: "Query parameter 'id' must be a key id (UUID)" })
  id!: string;
}
