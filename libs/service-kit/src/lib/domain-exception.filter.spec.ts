import { BadRequestException, Controller, Get, type INestApplication, Query } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DomainError, DomainErrorCode } from '@rs/key-domain';
import { Type } from 'class-transformer';
import { IsInt, Max } from 'class-validator';
import request from 'supertest';
import { configureApp } from './app-setup.util';

class PageQuery {
  @Type(() => Number)
  @IsInt()
  @Max(100)
  limit!: number;
}

class MongoServerSelectionError extends Error {
  override name = 'MongoServerSelectionError';
}

@Controller()
class DummyController {
  @Get('revoked')
  revoked(): never {
    throw new DomainError(DomainErrorCode.KEY_REVOKED, 'This API key has been revoked');
  }

  @Get('param')
  param(): never {
    throw DomainError.invalidParameter('name', "Query parameter 'name' is required");
  }

  @Get('http')
  http(): never {
    throw new BadRequestException('plain bad request');
  }

  @Get('mongo-down')
  mongoDown(): never {
    throw new MongoServerSelectionError('connect ECONNREFUSED 127.0.0.1:27017');
  }

  @Get('bug')
  bug(): never {
    throw new TypeError("Cannot read properties of undefined (reading 'secret')");
  }

  @Get('page')
  page(@Query() query: PageQuery): PageQuery {
    return query;
  }
}

describe('DomainExceptionFilter with configureApp', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [DummyController] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    configureApp(app);
    await app.init();
  });

  afterAll(() => app.close());

  it('should map a domain error to its status with code, message and detail', async () => {
    const response = await request(app.getHttpServer()).get('/revoked').expect(403);
    expect(response.body).toMatchObject({
      statusCode: 403,
      code: 'KEY_REVOKED',
      message: 'This API key has been revoked',
      detail: 'This API key has been revoked',
    });
    expect(response.body.correlation_id).toEqual(expect.any(String));
  });

  it('should name the parameter of an invalid-parameter error', async () => {
    const response = await request(app.getHttpServer()).get('/param').expect(400);
    expect(response.body).toMatchObject({ code: 'INVALID_PARAMETER', parameter: 'name' });
  });

  it('should keep Nest HTTP exceptions', async () => {
    const response = await request(app.getHttpServer()).get('/http').expect(400);
    expect(response.body).toMatchObject({ code: 'BAD_REQUEST', message: 'plain bad request' });
  });

  it('should answer 503 when the database is unreachable', async () => {
    const response = await request(app.getHttpServer()).get('/mongo-down').expect(503);
    expect(response.body.code).toBe('DEPENDENCY_UNAVAILABLE');
  });

  it('should hide internal errors behind a correlation id', async () => {
    const response = await request(app.getHttpServer()).get('/bug').set('x-correlation-id', 'abc-123').expect(500);
    expect(response.body).toEqual(expect.objectContaining({ code: 'INTERNAL_ERROR', correlation_id: 'abc-123' }));
    expect(JSON.stringify(response.body)).not.toContain('secret');
  });

  it('should refuse bad and unknown query parameters naming them', async () => {
    expect((await request(app.getHttpServer()).get('/page?limit=500').expect(400)).body).toMatchObject({
      code: 'INVALID_PARAMETER',
      parameter: 'limit',
    });
    expect((await request(app.getHttpServer()).get('/page?limit=5&other=1').expect(400)).body).toMatchObject({
      parameter: 'other',
    });
    expect((await request(app.getHttpServer()).get('/page?limit=5').expect(200)).body).toEqual({ limit: 5 });
  });
});
