import type { Queue } from 'bullmq';
import { loadKeyWorkerConfig } from '../config/key-worker.config';
import { JobSchedulesService } from './job-schedules.service';
import { SCHEDULED_JOB_OPTIONS } from './jobs.constants';

function fakeQueue(name: string) {
  return {
    name,
    setGlobalConcurrency: jest.fn(async () => 1),
    upsertJobScheduler: jest.fn(async () => ({})),
    removeJobScheduler: jest.fn(async () => true),
  };
}

describe(JobSchedulesService.name, () => {
  describe('onApplicationBootstrap', () => {
    it('should upsert one scheduler per queue with the shared retry options and one run at a time, and remove disabled ones', async () => {
      const config = loadKeyWorkerConfig({
        KEYCLOAK_SYNC_CLIENT_SECRET: 'a-long-secret',
        KEY_EXPIRY_EVERY_MS: '500',
        USAGE_RETENTION_EVERY_MS: '0',
      });
      const queues = [
        'key-expiry',
        'key-expiring-notice',
        'keycloak-sync',
        'keycloak-admin-events',
        'usage-retention',
      ].map(fakeQueue);
      const sut = new JobSchedulesService(config, ...(queues as unknown as [Queue, Queue, Queue, Queue, Queue]));
      await sut.onApplicationBootstrap();
      expect(queues[0].upsertJobScheduler).toHaveBeenCalledWith(
        'key-expiry:every',
        { every: 500 },
        { name: 'key-expiry', data: {}, opts: SCHEDULED_JOB_OPTIONS },
      );
      expect(queues[0].setGlobalConcurrency).toHaveBeenCalledWith(1);
      expect(queues[2].upsertJobScheduler).toHaveBeenCalledWith(
        'keycloak-sync:every',
        { every: 300_000 },
        expect.anything(),
      );
      expect(queues[3].upsertJobScheduler).toHaveBeenCalledWith(
        'keycloak-admin-events:every',
        { every: 2_000 },
        expect.anything(),
      );
      expect(queues[4].upsertJobScheduler).not.toHaveBeenCalled();
      expect(queues[4].removeJobScheduler).toHaveBeenCalledWith('usage-retention:every');
    });
  });
});
