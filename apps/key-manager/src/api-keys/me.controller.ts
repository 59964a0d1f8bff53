import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuthPrincipal, BearerOnly, CurrentPrincipal } from '@rs/auth-guard';
import { KeycloakAdminClient } from '@rs/keycloak-users';
import { MeDto } from './dto/api-key.responses';

@ApiTags('API Key Manager')
@BearerOnly()
@Controller('auth')
export class MeController {
  constructor(private readonly keycloak: KeycloakAdminClient) {}

  @Get('me')
  @ApiOperation({
    summary: 'Show My Information',
    description: 'Your Keycloak identity as the platform sees it: id, user name, realm roles and user attributes.',
  })
  @ApiOkResponse({ description: 'Who you are for the platform', type: MeDto })
  async me(@CurrentPrincipal() principal: AuthPrincipal): Promise<MeDto> {
    const user = await this.keycloak.getUser(principal.user_id);
    return {
      user_id: principal.user_id,
      user_login: principal.user_login,
      roles: user?.realmRoles ?? principal.iam_roles,
      attributes: user?.attributes ?? {},
    };
  }
}
