import type { HealthCheck } from './health.types';
import { describeReadiness, ReadinessService } from './readiness.service';

describe(ReadinessService.name, () => {
  const check = (name: string, run: () => Promise<void>): HealthCheck => ({ name, check: run });

  describe('report', () => {
    it('should report ok with every dependency up when every check resolves', async () => {
      const sut = new ReadinessService([
        check('mongodb', async () => undefined),
        check('kafka', async () => undefined),
      ]);
      await expect(sut.report()).resolves.toEqual({ status: 'ok', checks: { mongodb: 'up', kafka: 'up' } });
    });

    it('should report unavailable with the reason of each check that rejects', async () => {
      const sut = new ReadinessService([
        check('mongodb', async () => undefined),
        check('redis', () => Promise.reject(new Error('ECONNREFUSED'))),
      ]);
      await expect(sut.report()).resolves.toEqual({
        status: 'unavailable',
        checks: { mongodb: 'up', redis: 'down: ECONNREFUSED' },
      });
    });

    it('should report a check that does not answer within 2 s as down', async () => {
      jest.useFakeTimers();
      try {
        const sut = new ReadinessService([check('keycloak', () => new Promise<void>(() => undefined))]);
        const report = sut.report();
        await jest.advanceTimersByTimeAsync(2000);
        await expect(report).resolves.toEqual({
          status: 'unavailable',
          checks: { keycloak: 'down: no answer within 2000 ms' },
        });
      } finally {
        jest.useRealTimers();
      }
    });

    it('should run the checks once for requests that arrive while a round is running, and again after it', async () => {
      let runs = 0;
      let answer: () => void = () => undefined;
      const sut = new ReadinessService([
        check('mongodb', () => {
          runs++;
          return new Promise<void>((resolve) => (answer = resolve));
        }),
      ]);
      const first = sut.report();
      const second = sut.report();
      answer();
      await expect(Promise.all([first, second])).resolves.toEqual([
        { status: 'ok', checks: { mongodb: 'up' } },
        { status: 'ok', checks: { mongodb: 'up' } },
      ]);
      const third = sut.report();
      answer();
      await third;
      expect(runs).toBe(2);
    });
  });

  describe(describeReadiness.name, () => {
    it('should name each dependency that is down with its reason', () => {
      expect(
        describeReadiness({
          status: 'unavailable',
          checks: { mongodb: 'up', kafka: 'down: timeout', redis: 'down: x' },
        }),
      ).toBe('Not ready: kafka down: timeout; redis down: x');
    });
  });
});
