import type { Request, Response } from 'express';
import { apiKeyLocationMiddleware, requestStartedAt } from './api-key-location.middleware';

function run(url: string, headers: Record<string, string> = {}): Request {
  const request = { url, originalUrl: url, headers: { ...headers } } as unknown as Request;
  const next = jest.fn();
  apiKeyLocationMiddleware(request, {} as Response, next);
  expect(next).toHaveBeenCalledTimes(1);
  return request;
}

describe(apiKeyLocationMiddleware.name, () => {
  it('should leave a URL without key untouched and stamp the start time', () => {
    const request = run('/cadip/ins/session?id=a');
    expect(request.url).toBe('/cadip/ins/session?id=a');
    expect(request.headers['x-api-key']).toBeUndefined();
    expect(requestStartedAt(request)).toEqual(expect.any(Number));
  });

  it('should declare the principal field, unset, so the guard writes it rather than adds it', () => {
    const request = run('/cadip/ins/session');
    expect(Object.prototype.hasOwnProperty.call(request, 'principal')).toBe(true);
    expect((request as Request & { principal?: unknown }).principal).toBeUndefined();
  });

  it('should move a /k/<key>/ prefix into the header and strip it from the URL', () => {
    const request = run('/k/rsk_abc/cadip/ins/session?id=a');
    expect(request.url).toBe('/cadip/ins/session?id=a');
    expect(request.originalUrl).toBe('/cadip/ins/session?id=a');
    expect(request.headers['x-api-key']).toBe('rsk_abc');
  });

  it('should map a bare /k/<key> to the root', () => {
    expect(run('/k/rsk_abc').url).toBe('/');
  });

  it('should move an api-key query parameter whose name is percent-encoded, and strip it from the URL', () => {
    const request = run('/cadip/ins/session?id=a&api%2Dkey=rsk_e');
    expect(request.headers['x-api-key']).toBe('rsk_e');
    expect(request.url).toBe('/cadip/ins/session?id=a');
  });

  it('should move the api-key query parameter into the header and keep the others', () => {
    const request = run('/catalog/search?collections=a,b&api-key=rsk_q&limit=5');
    expect(request.headers['x-api-key']).toBe('rsk_q');
    expect(new URLSearchParams(request.url.split('?')[1]).get('collections')).toBe('a,b');
    expect(request.url).toMatch(/^\/catalog\/search\?collections=a%2Cb&limit=5$/);
  });

  it('should drop the query string when the key was its only parameter', () => {
    expect(run('/auxip/search?api-key=rsk_q').url).toBe('/auxip/search');
  });

  it('should keep the header when a key is also in the URL, yet remove the URL copy', () => {
    const request = run('/k/rsk_path/x?api-key=rsk_query', { 'x-api-key': 'rsk_header' });
    expect(request.headers['x-api-key']).toBe('rsk_header');
    expect(request.url).toBe('/x');
  });

  it('should prefer the path key over the query key', () => {
    expect(run('/k/rsk_path/x?api-key=rsk_query').headers['x-api-key']).toBe('rsk_path');
  });
});
