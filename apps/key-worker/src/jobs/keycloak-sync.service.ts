import { Injectable, Logger } from '@nestjs/common';
import { DomainErrorCode, isDomainError } from '@rs/key-domain';
import { ApiKeysRepository } from '@rs/key-store';
import { UserSyncService } from '@rs/keycloak-users';
import { errorMessage, MetricsService } from '@rs/service-kit';

export interface KeycloakSyncResult {
  users: number;
  active: number;
  inactive: number;
  failed: number;
}

/**
 * Periodic Keycloak sync: every owner of a non-revoked key is compared with Keycloak. A disabled or
 * deleted user's keys stop working (audit + `user_disabled` events, by UserSyncService); roles and
 * attributes of the others are refreshed. Keycloak unreachable fails the run so it is retried later.
 */
@Injectable()
export class KeycloakSyncService {
  private readonly logger = new Logger(KeycloakSyncService.name);
  private readonly usersCounter;

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly users: UserSyncService,
    metrics: MetricsService,
  ) {
    this.usersCounter = metrics.counter(
      'key_worker_keycloak_sync_users_total',
      'Users compared with Keycloak, by outcome',
      ['outcome'],
    );
  }

  async run(now: Date): Promise<KeycloakSyncResult> {
    const owners = await this.keys.ownersWithActiveKeys();
    const result: KeycloakSyncResult = { users: owners.length, active: 0, inactive: 0, failed: 0 };
    for (const userId of owners) {
      try {
        const { active } = await this.users.syncUser(userId, now);
        if (active) result.active++;
        else result.inactive++;
        this.usersCounter.inc({ outcome: active ? 'active' : 'inactive' });
      } catch (error) {
        if (isDomainError(error) && error.code === DomainErrorCode.DEPENDENCY_UNAVAILABLE) throw error;
        result.failed++;
        this.usersCounter.inc({ outcome: 'failed' });
        this.logger.warn(`Sync of user ${userId} failed: ${errorMessage(error)}`);
      }
    }
    return result;
  }
}
