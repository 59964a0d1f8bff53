import type { AuthPrincipal } from '@rs/auth-guard';
import { DomainError, DomainErrorCode } from '@rs/key-domain';
import { useTestApp } from '@rs/testing';
import { createPrincipalTestApp, userPrincipal } from '../testing/principal-test-app.test-helper';
import { AdminAuditController } from './admin-audit.controller';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

const KEY_ID = '7b0c3c1e-4a55-4c0b-9a43-3f1a2f0f6a11';

describe(AuditController.name, () => {
  const audit = { trail: jest.fn() };
  let principal: AuthPrincipal;
  const { http } = useTestApp(() =>
    createPrincipalTestApp(
      { controllers: [AuditController, AdminAuditController], providers: [{ provide: AuditService, useValue: audit }] },
      () => principal,
    ),
  );

  beforeEach(() => {
    audit.trail.mockReset().mockResolvedValue({ key_id: KEY_ID, records: [] });
    principal = userPrincipal();
  });

  describe('GET /auth/api_key/audit', () => {
    it("should ask for the trail among the caller's own keys", async () => {
      await http().get(`/auth/api_key/audit?id=${KEY_ID}`).expect(200, { key_id: KEY_ID, records: [] });
      expect(audit.trail).toHaveBeenCalledWith(KEY_ID, 'u1');
    });

    it("should keep to the caller's own keys also for an administrator", async () => {
      principal = { ...principal, iam_roles: ['rs_apikey_admin'] };
      await http().get(`/auth/api_key/audit?id=${KEY_ID}`).expect(200);
      expect(audit.trail).toHaveBeenCalledWith(KEY_ID, 'u1');
    });

    it.each([[''], ['?id=not-a-uuid'], [`?id=${KEY_ID}&extra=1`]])('should answer 400 to %p', async (query) => {
      await http().get(`/auth/api_key/audit${query}`).expect(400);
      expect(audit.trail).not.toHaveBeenCalled();
    });

    it('should answer 404 with KEY_NOT_FOUND when the service finds no such key', async () => {
      audit.trail.mockRejectedValue(new DomainError(DomainErrorCode.KEY_NOT_FOUND, 'API key not found'));
      const response = await http().get(`/auth/api_key/audit?id=${KEY_ID}`).expect(404);
      expect(response.body.code).toBe(DomainErrorCode.KEY_NOT_FOUND);
    });
  });

  describe('GET /auth/admin/api_key/audit', () => {
    it('should ask for the trail of any key', async () => {
      await http().get(`/auth/admin/api_key/audit?id=${KEY_ID}`).expect(200);
      expect(audit.trail).toHaveBeenCalledWith(KEY_ID, null);
    });

    it('should answer 400 without an id', async () => {
      await http().get('/auth/admin/api_key/audit').expect(400);
      expect(audit.trail).not.toHaveBeenCalled();
    });
  });
});
