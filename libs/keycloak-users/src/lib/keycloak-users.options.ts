/** Keycloak admin API access, and which user attributes reach a key's config. */
export interface KeycloakUsersOptions {
  /** A confidential client with view-users / view-realm (its service account reads users and roles). */
  keycloak: { url: string; realm: string; clientId: string; clientSecret: string };
  /** Keycloak user attributes copied into every key's config (they win over the user's own config). */
  configAttributes: string[];
}

/** The environment variables both the key manager and the key worker read for KeycloakUsersOptions. */
export interface KeycloakUsersEnv {
  KEYCLOAK_URL: string;
  KEYCLOAK_REALM: string;
  KEYCLOAK_SYNC_CLIENT_ID: string;
  KEYCLOAK_SYNC_CLIENT_SECRET: string;
  API_KEY_CONFIG_ATTRIBUTES: string[];
}

export function keycloakUsersOptions(env: KeycloakUsersEnv): KeycloakUsersOptions {
  return {
    keycloak: {
      url: env.KEYCLOAK_URL,
      realm: env.KEYCLOAK_REALM,
      clientId: env.KEYCLOAK_SYNC_CLIENT_ID,
      clientSecret: env.KEYCLOAK_SYNC_CLIENT_SECRET,
    },
    configAttributes: env.API_KEY_CONFIG_ATTRIBUTES,
  };
}

export const KEYCLOAK_USERS_OPTIONS = Symbol('KEYCLOAK_USERS_OPTIONS');
