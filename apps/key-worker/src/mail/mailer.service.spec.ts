import { loadKeyWorkerConfig } from '../config/key-worker.config';
import { MailerService, type MailTransport } from './mailer.service';

const config = loadKeyWorkerConfig({
  KEYCLOAK_SYNC_CLIENT_SECRET: 'a-long-secret',
  SMTP_HOST: '127.0.0.1',
  SMTP_SECURITY: 'none',
  SMTP_FROM: 'RS-Server API keys <no-reply@example.org>',
});
const message = { to: 'alice@example.org', subject: 'Your key', text: 'expires soon' };

describe(MailerService.name, () => {
  let transport: jest.Mocked<MailTransport>;
  let sut: MailerService;

  beforeEach(() => {
    transport = { sendMail: jest.fn().mockResolvedValue({ messageId: 'm1' }), close: jest.fn() };
    sut = new MailerService(transport, config);
  });

  describe('send', () => {
    it('should send from SMTP_FROM', async () => {
      await sut.send(message);
      expect(transport.sendMail).toHaveBeenCalledWith({
        from: 'RS-Server API keys <no-reply@example.org>',
        ...message,
      });
    });

    it('should reject with the transport error when the relay refuses', async () => {
      transport.sendMail.mockRejectedValueOnce(Object.assign(new Error('refused'), { code: 'ECONNECTION' }));
      await expect(sut.send(message)).rejects.toMatchObject({ code: 'ECONNECTION' });
    });

    it('should refuse to send when mail is off', async () => {
      const off = new MailerService(null, config);
      expect(off.enabled).toBe(false);
      await expect(off.send(message)).rejects.toThrow('SMTP_HOST');
    });
  });

  describe('failureOf', () => {
    it('should tell a relay that is away from a refused message and a passing hiccup', () => {
      const error = (code: string, responseCode?: number) => Object.assign(new Error(code), { code, responseCode });
      expect(MailerService.failureOf(error('ECONNECTION'))).toBe('relay');
      expect(MailerService.failureOf(error('EAUTH', 535))).toBe('relay');
      expect(MailerService.failureOf(error('EENVELOPE', 550))).toBe('permanent');
      expect(MailerService.failureOf(error('EMESSAGE', 451))).toBe('transient');
      expect(MailerService.failureOf(new Error('unknown'))).toBe('transient');
    });
  });

  describe('onApplicationShutdown', () => {
    it('should close the transport', () => {
      sut.onApplicationShutdown();
      expect(transport.close).toHaveBeenCalled();
    });
  });
});
