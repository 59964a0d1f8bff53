import { Inject, Injectable } from '@nestjs/common';
import { errorMessage } from '../retry.util';
import { HEALTH_CHECKS, type HealthCheck } from './health.types';

const CHECK_TIMEOUT_MS = 2000;

/** Each dependency's state: 'up' or 'down: <reason>'. */
export interface ReadinessReport {
  status: 'ok' | 'unavailable';
  checks: Record<string, string>;
}

async function run(check: HealthCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return 'up';
  } catch (error) {
    return `down: ${errorMessage(error)}`;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the app's readiness checks, each bounded in time. Requests that arrive while a round is running share
 * its result, so a flood of readiness requests costs the dependencies one round at a time.
 */
@Injectable()
export class ReadinessService {
  private running?: Promise<ReadinessReport>;

  constructor(@Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[]) {}

  report(): Promise<ReadinessReport> {
    this.running ??= this.runChecks().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runChecks(): Promise<ReadinessReport> {
    const results = await Promise.all(this.checks.map(async (check) => [check.name, await run(check)] as const));
    return {
      status: results.every(([, result]) => result === 'up') ? 'ok' : 'unavailable',
      checks: Object.fromEntries(results),
    };
  }
}

/** One line naming what is down, e.g. `Not ready: mongodb down: connection refused`. */
export function describeReadiness(report: ReadinessReport): string {
  const down = Object.entries(report.checks).filter(([, result]) => result !== 'up');
  return down.length ? `Not ready: ${down.map(([name, result]) => `${name} ${result}`).join('; ')}` : 'Ready';
}
