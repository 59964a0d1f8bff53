import { isLoopbackHost, SMTP_ENV, smtpProblems, smtpTransportOptions, type SmtpEnv } from './smtp-options.util';
import { readEnv } from '@rs/service-kit';

const settings = (source: Record<string, string> = {}): SmtpEnv => readEnv(SMTP_ENV, source);
const relay = { SMTP_HOST: 'smtp.example.org', SMTP_FROM: 'RS-Server API keys <no-reply@example.org>' };

describe(smtpProblems.name, () => {
  it('should accept no mail settings at all (mail off)', () => {
    expect(smtpProblems(settings())).toEqual([]);
  });

  it('should refuse mail settings without SMTP_HOST', () => {
    expect(smtpProblems(settings({ SMTP_FROM: 'a@example.org', SMTP_PORT: '25' }))).toEqual([
      expect.stringContaining('SMTP_PORT, SMTP_FROM set without SMTP_HOST'),
    ]);
  });

  it('should require a sender address with SMTP_HOST', () => {
    expect(smtpProblems(settings({ SMTP_HOST: 'smtp.example.org' }))).toEqual(['SMTP_FROM is required with SMTP_HOST']);
    expect(smtpProblems(settings({ ...relay, SMTP_FROM: 'not an address' }))).toEqual([
      expect.stringContaining('SMTP_FROM must be an address'),
    ]);
    expect(smtpProblems(settings({ ...relay, SMTP_FROM: 'keys@example.org' }))).toEqual([]);
  });

  it('should require the user and the password together', () => {
    expect(smtpProblems(settings({ ...relay, SMTP_USER: 'worker' }))).toEqual([
      expect.stringContaining('SMTP_USER and SMTP_PASSWORD go together'),
    ]);
  });

  it('should refuse plain text to a host other than loopback unless SMTP_ALLOW_INSECURE', () => {
    expect(smtpProblems(settings({ ...relay, SMTP_SECURITY: 'none' }))).toEqual([
      expect.stringContaining('SMTP_ALLOW_INSECURE'),
    ]);
    expect(smtpProblems(settings({ ...relay, SMTP_SECURITY: 'none', SMTP_ALLOW_INSECURE: 'true' }))).toEqual([]);
    expect(smtpProblems(settings({ ...relay, SMTP_SECURITY: 'none', SMTP_HOST: 'localhost' }))).toEqual([]);
  });
});

describe(smtpTransportOptions.name, () => {
  it('should be null without SMTP_HOST', () => {
    expect(smtpTransportOptions(settings())).toBeNull();
  });

  it('should require STARTTLS on 587 by default, verifying the certificate', () => {
    expect(smtpTransportOptions(settings(relay))).toMatchObject({
      host: 'smtp.example.org',
      port: 587,
      secure: false,
      requireTLS: true,
      ignoreTLS: false,
      tls: { rejectUnauthorized: true },
    });
  });

  it('should use TLS from the first byte on 465 and plain text on 25 when asked', () => {
    expect(smtpTransportOptions(settings({ ...relay, SMTP_SECURITY: 'tls' }))).toMatchObject({
      port: 465,
      secure: true,
      requireTLS: false,
    });
    expect(smtpTransportOptions(settings({ ...relay, SMTP_SECURITY: 'none', SMTP_PORT: '1025' }))).toMatchObject({
      port: 1025,
      secure: false,
      requireTLS: false,
      ignoreTLS: true,
    });
  });

  it('should log in only when a user is set', () => {
    expect(smtpTransportOptions(settings(relay))).not.toHaveProperty('auth');
    expect(
      smtpTransportOptions(settings({ ...relay, SMTP_USER: 'worker', SMTP_PASSWORD: 'a-relay-password' })),
    ).toMatchObject({ auth: { user: 'worker', pass: 'a-relay-password' } });
  });
});

describe(isLoopbackHost.name, () => {
  it('should know loopback names and addresses only', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'].map(isLoopbackHost)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(
      ['10.0.0.1', 'smtp.example.org', '127.0.0.1.example.org', 'localhost.example.org'].map(isLoopbackHost),
    ).toEqual([false, false, false, false]);
  });
});
