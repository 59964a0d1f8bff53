import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AuthPrincipal } from '@rs/auth-guard';
import { DomainError, DomainErrorCode } from '@rs/key-domain';
import { configureApp } from '@rs/service-kit';
import type { NextFunction, Request, Response } from 'express';
import request from 'supertest';
import { AdminAuditController } from './admin-audit.controller';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

const KEY_ID = '7b0c3c1e-4a55-4c0b-9a43-3f1a2f0f6a11';

describe(AuditController.name, () => {
  let app: INestApplication;
  let audit: { trail: jest.Mock };
  let principal: AuthPrincipal;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    audit = { trail: jest.fn() };
    const moduleRef = await Test.createTestingModule({
      controllers: [AuditController, AdminAuditController],
      providers: [{ provide: AuditService, useValue: audit }],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    configureApp(app);
    // Stands in for the guard (its role check is proven by the integration suite): the principal it would attach.
    app.use((req: Request, _res: Response, next: NextFunction) => {
      (req as Request & { principal?: AuthPrincipal }).principal = principal;
      next();
    });
    await app.init();
  });

  beforeEach(() => {
    audit.trail.mockReset().mockResolvedValue({ key_id: KEY_ID, records: [] });
    principal = { user_id: 'u1', user_login: 'alice', iam_roles: [], config: {}, auth_method: 'oauth2' };
  });

  afterAll(() => app.close());

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
