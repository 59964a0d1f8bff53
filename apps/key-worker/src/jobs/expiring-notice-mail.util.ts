import type { MailMessage } from '../mail/mailer.service';

export interface ExpiringKeyMailInput {
  to: string;
  /** The owner's login, for the greeting. */
  username: string;
  keyName: string;
  /** The key's non-secret hint (its first characters): the value itself is never known here. */
  keyHint: string;
  expirationDate: Date;
  portalUrl: string;
}

const MAX_NAME_LENGTH = 100;

/** The owner's notice that a key expires soon: plain text, the key's name, hint and end date, the portal's link. */
export function expiringKeyMail(input: ExpiringKeyMailInput): MailMessage {
  const name = printable(input.keyName);
  const end = formatUtc(input.expirationDate);
  return {
    to: input.to,
    subject: `Your RS-Server API key "${name}" expires on ${end.slice(0, 10)}`,
    text: [
      `Hello ${printable(input.username)},`,
      '',
      `Your RS-Server API key "${name}" (${printable(input.keyHint)}) expires on ${end}.`,
      'After that, the services refuse it, and the scripts and tools that use it stop working.',
      '',
      'To keep access, renew the key or create a new one in the portal:',
      input.portalUrl,
      '',
      'You receive this message because you own this key.',
      '',
    ].join('\n'),
  };
}

/** `YYYY-MM-DD HH:MM UTC`. */
function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

// A key's name is the owner's free text: no control characters in the subject, and a bounded length.
function printable(text: string): string {
  const flat = text.replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, ' ').trim();
  return flat.length > MAX_NAME_LENGTH ? `${flat.slice(0, MAX_NAME_LENGTH - 1)}…` : flat;
}
