import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { DomainErrorCode, isDomainError } from '@rs/key-domain';
import { errorMessage } from '@rs/service-kit';
import type { Model } from 'mongoose';
import { AdminEventsCursor } from './admin-events-cursor.schema';
import { type KeycloakAdminEvent, KeycloakAdminClient } from './keycloak-admin.client';
import { UserSyncService } from './user-sync.service';

const CURSOR_ID = 'admin-events';
const PAGE_SIZE = 100;
/** Pages read per poll; a longer backlog is read by the next polls. */
const MAX_PAGES = 10;
/** Changes to a user that can change what the user's keys may do. */
const USER_RESOURCES = new Set(['USER', 'REALM_ROLE_MAPPING', 'CLIENT_ROLE_MAPPING', 'GROUP_MEMBERSHIP']);

export interface AdminEventsPoll {
  /** New admin events read. */
  events: number;
  /** Users whose keys were synced because of them. */
  users: number;
}

/**
 * Follows Keycloak's admin events so that a disabled, deleted or re-roled user's keys change within seconds
 * instead of at the next periodic sync: each poll reads the events since the stored cursor, syncs every user
 * they touch (UserSyncService announces the changes to the guards), then moves the cursor. A failed poll leaves
 * the cursor where it was, so the next one reads the same events again; syncing a user twice changes nothing.
 * The first poll only places the cursor: the periodic full sync covers what happened before.
 */
@Injectable()
export class AdminEventsFollower {
  private readonly logger = new Logger(AdminEventsFollower.name);

  constructor(
    private readonly keycloak: KeycloakAdminClient,
    private readonly users: UserSyncService,
    @InjectModel(AdminEventsCursor.name) private readonly cursors: Model<AdminEventsCursor>,
  ) {}

  async poll(now: Date): Promise<AdminEventsPoll> {
    const cursor = await this.cursors.findById(CURSOR_ID).lean().exec();
    if (!cursor) {
      await this.save(now.getTime(), []);
      this.logger.log('Following Keycloak admin events from now on');
      return { events: 0, users: 0 };
    }
    const events = await this.readSince(cursor);
    if (!events.length) return { events: 0, users: 0 };
    const userIds = [...new Set(events.map(affectedUser).filter((id): id is string => id !== null))];
    for (const userId of userIds) await this.sync(userId, now);
    const last = (events.at(-1) as KeycloakAdminEvent).time;
    const idsAtLast = events.filter((event) => event.time === last).map((event) => event.id);
    await this.save(last, last === cursor.time ? [...cursor.ids, ...idsAtLast] : idsAtLast);
    return { events: events.length, users: userIds.length };
  }

  private async readSince(cursor: AdminEventsCursor): Promise<KeycloakAdminEvent[]> {
    const seen = new Set(cursor.ids);
    const events: KeycloakAdminEvent[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const batch = await this.keycloak.adminEvents(cursor.time, page * PAGE_SIZE, PAGE_SIZE);
      events.push(...batch.filter((event) => !seen.has(event.id)));
      if (batch.length < PAGE_SIZE) break;
    }
    return events;
  }

  private async sync(userId: string, now: Date): Promise<void> {
    try {
      await this.users.syncUser(userId, now);
    } catch (error) {
      // Keycloak or the database away: fail the poll, so the same events are read again.
      if (isDomainError(error) && error.code === DomainErrorCode.DEPENDENCY_UNAVAILABLE) throw error;
      this.logger.warn(`Sync of user ${userId} after a Keycloak admin event failed: ${errorMessage(error)}`);
    }
  }

  private async save(time: number, ids: string[]): Promise<void> {
    await this.cursors.updateOne({ _id: CURSOR_ID }, { $set: { time, ids } }, { upsert: true }).exec();
  }
}

/** The user an admin event is about, when it can change what the user's keys may do (not a new user). */
export function affectedUser(event: KeycloakAdminEvent): string | null {
  if (!USER_RESOURCES.has(event.resourceType)) return null;
  if (event.resourceType === 'USER' && event.operationType === 'CREATE') return null;
  return /^users\/([^/]+)/.exec(event.resourcePath)?.[1] ?? null;
}
