import type { Request, Response } from 'express';
import { EventEmitter } from 'node:events';
import type { AuthGuardOptions } from '../auth-guard.options';
import type { AuthPrincipal } from '../auth-principal';
import type { KeyUsagePublisher } from './key-usage.publisher';
import { KeyUsageRecorder } from './key-usage.recorder';

const principal: AuthPrincipal = { user_id: 'u-1', user_login: 'bob', iam_roles: [], config: {}, auth_method: 'api_key', key_id: 'key-1' };

describe(KeyUsageRecorder.name, () => {
  let publisher: { enabled: boolean; record: jest.Mock };
  let sut: KeyUsageRecorder;

  beforeEach(() => {
    publisher = { enabled: true, record: jest.fn() };
    sut = new KeyUsageRecorder({ serviceName: 'cadip' } as AuthGuardOptions, publisher as unknown as KeyUsagePublisher);
  });

  function exchange(finished: boolean): { request: Request; response: Response & EventEmitter } {
    const request = { method: 'GET', baseUrl: '/cadip', route: { path: '/:station/session' }, headers: {} } as unknown as Request;
    const response = Object.assign(new EventEmitter(), { statusCode: 206, writableFinished: finished }) as unknown as Response & EventEmitter;
    return { request, response };
  }

  it('should record one event with the status once the response is closed', () => {
    const { request, response } = exchange(true);
    sut.track(request, response, principal);
    expect(publisher.record).not.toHaveBeenCalled();
    response.emit('close');
    response.emit('close');
    expect(publisher.record).toHaveBeenCalledTimes(1);
    expect(publisher.record.mock.calls[0][0]).toMatchObject({ key_id: 'key-1', service: 'cadip', route: '/cadip/:station/session', status: 206 });
  });

  it('should record 499 when the client went away before the response was sent', () => {
    const { request, response } = exchange(false);
    sut.track(request, response, principal);
    response.emit('close');
    expect(publisher.record.mock.calls[0][0]).toMatchObject({ status: 499 });
  });

  it('should record nothing when the publisher is disabled or the principal has no key', () => {
    publisher.enabled = false;
    const first = exchange(true);
    sut.track(first.request, first.response, principal);
    first.response.emit('close');
    publisher.enabled = true;
    const second = exchange(true);
    sut.track(second.request, second.response, { ...principal, key_id: undefined, auth_method: 'oauth2' });
    second.response.emit('close');
    expect(publisher.record).not.toHaveBeenCalled();
  });
});
