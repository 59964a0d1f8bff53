import { Injectable, Logger } from '@nestjs/common';
import { errorMessage, MetricsService } from '@rs/service-kit';
import type { Job } from 'bullmq';

/** Counts and times scheduled job runs by queue and outcome, and logs failures (BullMQ retries them). */
@Injectable()
export class JobRunsRecorder {
  private readonly logger = new Logger(JobRunsRecorder.name);
  private readonly runs;
  private readonly duration;

  constructor(metrics: MetricsService) {
    this.runs = metrics.counter('key_worker_job_runs_total', 'Scheduled job runs, by queue and outcome', [
      'queue',
      'outcome',
    ]);
    this.duration = metrics.histogram(
      'key_worker_job_duration_seconds',
      'Scheduled job run time, by queue',
      ['queue'],
      [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    );
  }

  async record<T>(job: Job, run: () => Promise<T>): Promise<T> {
    const stop = this.duration.startTimer({ queue: job.queueName });
    try {
      const result = await run();
      this.runs.inc({ queue: job.queueName, outcome: 'completed' });
      return result;
    } catch (error) {
      this.runs.inc({ queue: job.queueName, outcome: 'failed' });
      this.logger.warn(
        `${job.queueName} run ${job.id} failed (attempt ${job.attemptsMade + 1}): ${errorMessage(error)}`,
      );
      throw error;
    } finally {
      stop();
    }
  }
}
