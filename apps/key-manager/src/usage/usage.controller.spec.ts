import type { AuthPrincipal } from '@rs/auth-guard';
import { DomainError, DomainErrorCode } from '@rs/key-domain';
import { useTestApp } from '@rs/testing';
import { createPrincipalTestApp, userPrincipal } from '../testing/principal-test-app.test-helper';
import { UsageController } from './usage.controller';
import { UsageService } from './usage.service';

const KEY_ID = '7b0c3c1e-4a55-4c0b-9a43-3f1a2f0f6a11';

describe(UsageController.name, () => {
  const usage = { report: jest.fn() };
  let principal: AuthPrincipal;
  const { http } = useTestApp(() =>
    createPrincipalTestApp(
      { controllers: [UsageController], providers: [{ provide: UsageService, useValue: usage }] },
      () => principal,
    ),
  );

  beforeEach(() => {
    usage.report.mockReset().mockResolvedValue({ key_id: KEY_ID });
    principal = userPrincipal();
  });

  describe('GET /auth/api_key/usage', () => {
    it('should pass the query, dates as the same instant in ISO form, and the caller to the service', async () => {
      await http()
        .get(`/auth/api_key/usage?id=${KEY_ID}&granularity=hour&from=2026-03-10T10:00:00%2B02:00`)
        .expect(200, { key_id: KEY_ID });
      expect(usage.report).toHaveBeenCalledWith(
        { user_id: 'u1', is_admin: false },
        { id: KEY_ID, granularity: 'hour', from: '2026-03-10T08:00:00.000Z' },
      );
    });

    it('should treat callers with rs_apikey_admin as admins', async () => {
      principal = { ...principal, iam_roles: ['rs_apikey_admin'] };
      await http().get(`/auth/api_key/usage?id=${KEY_ID}`).expect(200);
      expect(usage.report).toHaveBeenCalledWith({ user_id: 'u1', is_admin: true }, { id: KEY_ID });
    });

    it.each([
      ['', 'id'],
      ['?id=not-a-key', 'id'],
      [`?id=${KEY_ID}&granularity=week`, 'granularity'],
      [`?id=${KEY_ID}&from=yesterday`, 'from'],
      [`?id=${KEY_ID}&to=2026-13-01`, 'to'],
      [`?id=${KEY_ID}&from=`, 'from'],
      [`?id=${KEY_ID}&from=2026-03-10`, 'from'],
      [`?id=${KEY_ID}&to=2026-02-30T00:00:00Z`, 'to'],
    ])('should answer 400 for %p', async (query, parameter) => {
      const response = await http().get(`/auth/api_key/usage${query}`).expect(400);
      expect(response.body.message).toContain(parameter);
      expect(usage.report).not.toHaveBeenCalled();
    });

    it("should answer 404 when the key is not among the caller's", async () => {
      usage.report.mockRejectedValueOnce(new DomainError(DomainErrorCode.KEY_NOT_FOUND, 'No such API key among yours'));
      await http().get(`/auth/api_key/usage?id=${KEY_ID}`).expect(404);
    });
  });
});
