/** Where tools/stack serves the real services (same defaults and variables as tools/stack/README.md). */
export const stackEndpoints = {
  keycloakUrl: process.env['KEYCLOAK_URL'] ?? `http://127.0.0.1:${process.env['KEYCLOAK_PORT'] ?? '8180'}`,
  realm: process.env['KEYCLOAK_REALM'] ?? 'rs-server',
  kafkaBrokers: (process.env['KAFKA_BROKERS'] ?? `127.0.0.1:${process.env['KAFKA_PORT'] ?? '9092'}`).split(','),
  mongoUrl: (database: string) => `mongodb://127.0.0.1:${process.env['MONGO_PORT'] ?? '27017'}/${database}`,
  redisUrl: process.env['REDIS_URL'] ?? `redis://127.0.0.1:${process.env['REDIS_PORT'] ?? '6379'}`,
  /**
   * The loopback SMTP server (plain text, any login accepted) and its mailbox API (tools/stack/lib/smtp-mailbox.mjs).
   */
  smtpPort: Number(process.env['SMTP_SINK_PORT'] ?? '1025'),
  mailboxUrl: `http://127.0.0.1:${process.env['SMTP_SINK_HTTP_PORT'] ?? '8025'}`,
};

/** The FerretDB binary tools/stack built (same cache rule as tools/stack/lib/common.mjs). */
export function ferretdbBinary(): string {
  const cache =
    process.env['RS_STACK_CACHE'] ?? `${process.env['XDG_CACHE_HOME'] ?? `${process.env['HOME']}/.cache`}/rs-stack`;
  return `${cache}/ferretdb-1.24.2/bin/ferretdb`;
}
