/** A readiness check: resolves when the dependency answers, rejects with a reason when it does not. */
export interface HealthCheck {
  name: string;
  check: () => Promise<void>;
}

export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');
