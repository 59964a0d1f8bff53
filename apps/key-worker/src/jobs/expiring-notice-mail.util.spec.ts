import { expiringKeyMail } from './expiring-notice-mail.util';

const input = {
  to: 'alice@example.org',
  username: 'alice',
  keyName: 'nightly ingest',
  keyHint: 'rsk_AbCd…',
  expirationDate: new Date('2026-03-02T10:00:00Z'),
  portalUrl: 'https://rs.example.org',
};

describe(expiringKeyMail.name, () => {
  it('should name the key, its hint and end date, and link to the portal', () => {
    const mail = expiringKeyMail(input);
    expect(mail.to).toBe('alice@example.org');
    expect(mail.subject).toBe('Your RS-Server API key "nightly ingest" expires on 2026-03-02');
    expect(mail.text).toContain('Hello alice,');
    expect(mail.text).toContain('"nightly ingest" (rsk_AbCd…) expires on 2026-03-02 10:00 UTC.');
    expect(mail.text).toContain('\nhttps://rs.example.org\n');
  });

  it('should keep control characters and overlong names out when the owner named the key so', () => {
    const mail = expiringKeyMail({ ...input, keyName: `evil\r\nBcc: x@example.org ${'x'.repeat(200)}` });
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toContain('"evil Bcc: x@example.org xxx');
    expect(mail.subject.length).toBeLessThan(160);
  });
});
