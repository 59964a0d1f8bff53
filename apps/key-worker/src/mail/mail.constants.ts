/** The nodemailer transport (or null when SMTP_HOST is unset); a fake one in unit tests. */
export const MAIL_TRANSPORT = Symbol('MAIL_TRANSPORT');

/**
 * nodemailer error codes that mean the relay itself is unreachable or refused us (not this one message): the run
 * stops sending and leaves the rest for the next run.
 */
export const RELAY_FAILURE_CODES: readonly string[] = [
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'EAUTH',
  'ETLS',
  'EPROTOCOL',
];
