import type { Response } from 'express';
import { EventEmitter } from 'node:events';
import { REQUEST_STARTED_AT } from '../api-key/api-key-location.middleware';
import type { AuthPrincipal } from '../auth-principal';
import type { KeyUsagePublisher } from './key-usage.publisher';
import { KeyUsageRecorder } from './key-usage.recorder';

const principal: AuthPrincipal = { user_id: 'u-1', user_login: 'bob', iam_roles: [], config: {}, auth_method: 'api_key', key_id: 'key-1' };

describe(KeyUsageRecorder.name, () => {
  let publisher: { enabled: boolean; record: jest.Mock };
  let sut: KeyUsageRecorder;
  /** performance.now() as the recorder sees it. */
  let now: number;

  beforeEach(() => {
    now = 1000;
    jest.spyOn(performance, 'now').mockImplementation(() => now);
    jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-01-01T10:00:00.123Z'));
    publisher = { enabled: true, record: jest.fn() };
    sut = new KeyUsageRecorder(publisher as unknown as KeyUsagePublisher);
  });

  afterEach(() => jest.restoreAllMocks());

  /** A response as express leaves it: the request on `req`, the principal and start time (null: none) on the request. */
  function exchange(finished: boolean, headers: Record<string, string> = {}, startedAt: number | null = 988): Response & EventEmitter {
    const request = { method: 'GET', baseUrl: '/cadip', route: { path: '/:station/session' }, headers, principal, [REQUEST_STARTED_AT]: startedAt ?? undefined };
    return Object.assign(new EventEmitter(), { req: request, statusCode: 206, writableFinished: finished }) as unknown as Response & EventEmitter;
  }

  describe('track', () => {
    it("should record the request's fields once, when the response is closed", () => {
      const response = exchange(true, { 'x-correlation-id': 'corr-1' });
      sut.track(response, principal);
      expect(publisher.record).not.toHaveBeenCalled();
      now = 1000.25;
      response.emit('close');
      response.emit('close');
      expect(publisher.record).toHaveBeenCalledTimes(1);
      expect(publisher.record).toHaveBeenCalledWith('key-1', 'u-1', 'GET', '/cadip/:station/session', 206, 12.25, Date.parse('2026-01-01T10:00:00.123Z'), 'corr-1');
    });

    it('should record each response with its own fields when several are tracked', () => {
      const first = exchange(true);
      const second = exchange(false);
      (second.req as unknown as { method: string }).method = 'POST';
      sut.track(first, principal);
      sut.track(second, principal);
      second.emit('close');
      first.emit('close');
      expect(publisher.record.mock.calls.map((call) => [call[2], call[4]])).toEqual([
        ['POST', 499],
        ['GET', 206],
      ]);
      expect(first.listenerCount('close')).toBe(0);
      expect(second.listenerCount('close')).toBe(0);
    });

    it('should record 499 when the client went away before the response was sent', () => {
      const response = exchange(false);
      sut.track(response, principal);
      response.emit('close');
      expect(publisher.record.mock.calls[0][4]).toBe(499);
    });

    it("should record 'unmatched' as the route when no route matched, and the template alone without a base URL", () => {
      const unmatched = exchange(true);
      (unmatched.req as unknown as { route: unknown }).route = undefined;
      const noBase = exchange(true);
      (noBase.req as unknown as { baseUrl: string }).baseUrl = '';
      sut.track(unmatched, principal);
      sut.track(noBase, principal);
      unmatched.emit('close');
      noBase.emit('close');
      expect(publisher.record.mock.calls.map((call) => call[3])).toEqual(['unmatched', '/:station/session']);
    });

    it('should measure the latency from the tracking when no middleware stamped the start', () => {
      const response = exchange(true, {}, null);
      sut.track(response, principal);
      now = 1007.5;
      response.emit('close');
      expect(publisher.record.mock.calls[0][5]).toBe(7.5);
    });

    it('should record nothing when the publisher is disabled or the principal has no key', () => {
      publisher.enabled = false;
      const first = exchange(true);
      sut.track(first, principal);
      first.emit('close');
      publisher.enabled = true;
      const second = exchange(true);
      sut.track(second, { ...principal, key_id: undefined, auth_method: 'oauth2' });
      second.emit('close');
      expect(publisher.record).not.toHaveBeenCalled();
    });
  });
});
