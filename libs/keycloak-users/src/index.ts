export * from './lib/admin-events.follower';
export * from './lib/keycloak-admin.client';
export * from './lib/keycloak-users.module';
export * from './lib/keycloak-users.options';
export * from './lib/user-sync.service';
