import { env, type EnvOf, EnvValidationError } from './env.util';

/**
 * Variables every app of the platform reads the same way: Keycloak and Kafka. Spread into each app's own
 * schema so names, defaults and validation stay identical everywhere.
 */
export const KEYCLOAK_ENV = {
  /** How this app reaches Keycloak (JWKS, admin API). */
  KEYCLOAK_URL: env.url('http://127.0.0.1:8180'),
  /** How browsers reach Keycloak (Swagger UI login) and the host tokens are issued for; default KEYCLOAK_URL. */
  KEYCLOAK_PUBLIC_URL: env.optionalUrl(),
  KEYCLOAK_REALM: env.string('rs-server'),
  KEYCLOAK_AUDIENCE: env.string('rs-server'),
  KEYCLOAK_SWAGGER_CLIENT_ID: env.string('swagger-ui'),
  /** Clients (`azp`) whose access tokens the guard accepts, comma-separated; empty: any client of the realm. */
  KEYCLOAK_ALLOWED_AZP: env.list(''),
};

/**
 * The management port's default: this far above PORT, so that apps (and instances) on distinct ports never share
 * one.
 */
export const MANAGEMENT_PORT_OFFSET = 1000;

/**
 * The management listener of every app: GET /metrics (Prometheus) and GET /health/ready with each dependency's
 * state. Keep it off public Services and ingresses; see managementAddress for the defaults.
 */
export const MANAGEMENT_ENV = {
  /** Default HOST. */
  MANAGEMENT_HOST: env.optionalString(),
  /** Default PORT + MANAGEMENT_PORT_OFFSET (0, any free port, when PORT is 0). */
  MANAGEMENT_PORT: env.optionalInt({ min: 0, max: 65535 }),
};

/** Where an HTTP app listens, and the URL browsers use for it (Swagger UI's OAuth2 redirect). */
export const httpEnv = (defaultPort: number) => ({
  HOST: env.string('127.0.0.1'),
  PORT: env.int(defaultPort, { min: 0, max: 65535 }),
  PUBLIC_URL: env.url(`http://127.0.0.1:${defaultPort}`),
  ...MANAGEMENT_ENV,
});

/** The listen addresses of an app: its public port and its management port. */
export interface ListenEnv {
  HOST: string;
  PORT: number;
  MANAGEMENT_HOST?: string;
  MANAGEMENT_PORT?: number;
}

/** Where the management listener binds: MANAGEMENT_HOST/PORT, by default HOST and PORT + MANAGEMENT_PORT_OFFSET. */
export function managementAddress(config: ListenEnv): { host: string; port: number } {
  const host = config.MANAGEMENT_HOST ?? config.HOST;
  const port = config.MANAGEMENT_PORT ?? (config.PORT === 0 ? 0 : config.PORT + MANAGEMENT_PORT_OFFSET);
  if (port > 65535)
    throw new EnvValidationError([
      `MANAGEMENT_PORT is required when PORT + ${MANAGEMENT_PORT_OFFSET} is beyond 65535 (PORT ${config.PORT})`,
    ]);
  if (port !== 0 && port === config.PORT)
    throw new EnvValidationError([`MANAGEMENT_PORT must differ from PORT (both ${port})`]);
  return { host, port };
}

export const KAFKA_SASL_MECHANISMS = ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** How every Kafka client of the app reaches and authenticates to the brokers (see kafkaSecurity). */
export const KAFKA_ENV = {
  KAFKA_BROKERS: env.list('127.0.0.1:9092'),
  /** SASL mechanism of the app's Kafka user; `none` only for a broker without authentication. */
  KAFKA_SASL_MECHANISM: env.custom<KafkaSaslMechanism>('none', (value) => {
    const mechanism = value.toLowerCase() as KafkaSaslMechanism;
    if (!KAFKA_SASL_MECHANISMS.includes(mechanism)) throw new Error(`one of ${KAFKA_SASL_MECHANISMS.join(', ')}`);
    return mechanism;
  }),
  KAFKA_USERNAME: env.optionalString(),
  KAFKA_PASSWORD: env.optionalSecret(8),
  /** TLS to the brokers, verified against the system's CAs. */
  KAFKA_SSL: env.bool(false),
};

export type KafkaEnv = EnvOf<typeof KAFKA_ENV>;

export type KeycloakEnv = EnvOf<typeof KEYCLOAK_ENV>;

/** The auth guard's Keycloak options: JWKS through KEYCLOAK_URL, issuer as browsers see Keycloak. */
export function keycloakGuardOptions(config: KeycloakEnv): {
  url: string;
  realm: string;
  audience: string;
  issuer: string;
  allowedAzp: string[];
} {
  const publicUrl = config.KEYCLOAK_PUBLIC_URL ?? config.KEYCLOAK_URL;
  return {
    url: config.KEYCLOAK_URL,
    realm: config.KEYCLOAK_REALM,
    audience: config.KEYCLOAK_AUDIENCE,
    issuer: `${publicUrl}/realms/${config.KEYCLOAK_REALM}`,
    allowedAzp: config.KEYCLOAK_ALLOWED_AZP,
  };
}

/** Swagger UI's Keycloak login settings. */
export function swaggerKeycloak(config: KeycloakEnv): { keycloakUrl: string; realm: string; clientId: string } {
  return {
    keycloakUrl: config.KEYCLOAK_PUBLIC_URL ?? config.KEYCLOAK_URL,
    realm: config.KEYCLOAK_REALM,
    clientId: config.KEYCLOAK_SWAGGER_CLIENT_ID,
  };
}
