import { Controller, Delete, Get, type INestApplication, Param, Put } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { configureApp } from '../app-setup.util';

@Controller('things')
class ThingsController {
  @Get()
  list(): string[] {
    return [];
  }

  @Get(':id')
  get(@Param('id') id: string): { id: string } {
    return { id };
  }

  @Put(':id')
  put(@Param('id') id: string): { id: string } {
    return { id };
  }

  @Delete(':id')
  remove(): void {
    return undefined;
  }
}

describe('answerUndeclaredMethods', () => {
  let sut: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [ThingsController] }).compile();
    sut = moduleRef.createNestApplication({ logger: false });
    configureApp(sut);
    await sut.init();
  });

  afterAll(() => sut.close());

  it('should answer 405 with the methods of the path in Allow when a method is not declared', async () => {
    const response = await request(sut.getHttpServer()).post('/things/42').expect(405);
    expect(response.headers['allow']).toBe('DELETE, GET, HEAD, PUT, OPTIONS');
    expect(response.body).toMatchObject({ statusCode: 405, code: 'METHOD_NOT_ALLOWED' });
  });

  it('should answer 405 to TRACE on a collection path, naming only its own methods', async () => {
    const response = await request(sut.getHttpServer()).trace('/things').expect(405);
    expect(response.headers['allow']).toBe('GET, HEAD, OPTIONS');
  });

  it('should answer OPTIONS with 204 and Allow', async () => {
    const response = await request(sut.getHttpServer()).options('/things/42').expect(204);
    expect(response.headers['allow']).toBe('DELETE, GET, HEAD, PUT, OPTIONS');
  });

  it('should leave declared methods to their route', async () => {
    await request(sut.getHttpServer()).put('/things/42').expect(200, { id: '42' });
    await request(sut.getHttpServer()).head('/things').expect(200);
  });

  it('should keep 404 for a path no route matches', async () => {
    await request(sut.getHttpServer()).trace('/nothing').expect(404);
    await request(sut.getHttpServer()).get('/things/42/more').expect(404);
  });
});
