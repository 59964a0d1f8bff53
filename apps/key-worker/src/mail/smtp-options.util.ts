import { env, type EnvOf } from '@rs/service-kit';
import type { SMTPTransportOptions } from 'nodemailer';

export const SMTP_SECURITY_MODES = ['starttls', 'tls', 'none'] as const;
export type SmtpSecurity = (typeof SMTP_SECURITY_MODES)[number];

const DEFAULT_PORTS: Record<SmtpSecurity, number> = { starttls: 587, tls: 465, none: 25 };

/** The mail relay the key worker sends expiry notices through. See .env.example and docs/security.md. */
export const SMTP_ENV = {
  /** The relay's host; unset: no mail is sent. */
  SMTP_HOST: env.optionalString(),
  /** Default by SMTP_SECURITY: 587 (starttls), 465 (tls), 25 (none). */
  SMTP_PORT: env.optionalInt({ min: 1, max: 65535 }),
  /**
   * starttls: STARTTLS required (no fallback to plain text); tls: TLS from the first byte; none: plain text, only to
   * a loopback host unless SMTP_ALLOW_INSECURE. The relay's certificate is always verified (system CAs and
   * NODE_EXTRA_CA_CERTS).
   */
  SMTP_SECURITY: env.custom<SmtpSecurity>('starttls', (value) => {
    const mode = value.toLowerCase() as SmtpSecurity;
    if (!SMTP_SECURITY_MODES.includes(mode)) throw new Error(`one of ${SMTP_SECURITY_MODES.join(', ')}`);
    return mode;
  }),
  /** Lets SMTP_SECURITY=none reach a host other than loopback (a relay in a network you trust). */
  SMTP_ALLOW_INSECURE: env.bool(false),
  /** Login at the relay; none: no authentication. */
  SMTP_USER: env.optionalString(),
  SMTP_PASSWORD: env.optionalSecret(8),
  /** Sender of the notices, e.g. `RS-Server API keys <no-reply@example.org>`; required with SMTP_HOST. */
  SMTP_FROM: env.optionalString(),
  /** Longest wait for the relay's connection, greeting and each reply. */
  SMTP_TIMEOUT_MS: env.int(10_000, { min: 100, max: 120_000 }),
  /** Where the notice sends the owner to renew or replace the key (the portal, on the frontend origin). */
  PORTAL_URL: env.url('http://127.0.0.1:3080'),
};

export type SmtpEnv = EnvOf<typeof SMTP_ENV>;

/** Loopback names and addresses: plain SMTP to them never leaves the host. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}

/** What is wrong with the mail settings as a whole (each variable alone already passed its own check). */
export function smtpProblems(config: SmtpEnv): string[] {
  const problems: string[] = [];
  const host = config.SMTP_HOST;
  if (!host) {
    const orphans = (['SMTP_PORT', 'SMTP_USER', 'SMTP_PASSWORD', 'SMTP_FROM'] as const).filter(
      (name) => config[name] !== undefined,
    );
    if (orphans.length) problems.push(`${orphans.join(', ')} set without SMTP_HOST: set SMTP_HOST or unset them`);
    return problems;
  }
  if (!config.SMTP_FROM) problems.push('SMTP_FROM is required with SMTP_HOST');
  else if (!/^[^@\s<>]+@[^@\s<>]+$/.test(config.SMTP_FROM.match(/<([^>]*)>\s*$/)?.[1] ?? config.SMTP_FROM))
    problems.push(`SMTP_FROM must be an address or 'Name <address>', got '${config.SMTP_FROM}'`);
  if ((config.SMTP_USER === undefined) !== (config.SMTP_PASSWORD === undefined))
    problems.push('SMTP_USER and SMTP_PASSWORD go together: set both or neither');
  if (config.SMTP_SECURITY === 'none' && !isLoopbackHost(host) && !config.SMTP_ALLOW_INSECURE)
    problems.push(
      `SMTP_SECURITY=none sends mail and password in plain text to ${host}: use starttls or tls, ` +
        'or set SMTP_ALLOW_INSECURE=true for a relay in a network you trust',
    );
  return problems;
}

/** nodemailer's SMTP options from the settings; null when mail is off (no SMTP_HOST). */
export function smtpTransportOptions(config: SmtpEnv): SMTPTransportOptions | null {
  if (!config.SMTP_HOST) return null;
  const security = config.SMTP_SECURITY;
  return {
    host: config.SMTP_HOST,
    port: config.SMTP_PORT ?? DEFAULT_PORTS[security],
    secure: security === 'tls',
    requireTLS: security === 'starttls',
    ignoreTLS: security === 'none',
    ...(config.SMTP_USER !== undefined ? { auth: { user: config.SMTP_USER, pass: config.SMTP_PASSWORD ?? '' } } : {}),
    tls: { rejectUnauthorized: true, minVersion: 'TLSv1.2' },
    connectionTimeout: config.SMTP_TIMEOUT_MS,
    greetingTimeout: config.SMTP_TIMEOUT_MS,
    socketTimeout: config.SMTP_TIMEOUT_MS,
  };
}
