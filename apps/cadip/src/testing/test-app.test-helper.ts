import type { INestApplication } from '@nestjs/common';
import { createGuardedTestApp } from '@rs/testing';
import { AppModule } from '../app.module';
import { CADIP_CONFIG, loadCadipConfig } from '../config/cadip.config';

/** Demo users of the unit specs, by the bearer "token" that stands for them. */
export const TEST_USERS: Record<string, string[]> = {
  alice: ['rs_cadip_ins_read', 'rs_cadip_ins_download', 'rs_cadip_mti_read'],
  bob: ['rs_cadip_ins_read'],
  carol: [],
};

/** The whole app with the real guard (see createGuardedTestApp); no Kafka. */
export function createTestApp(): Promise<INestApplication> {
  return createGuardedTestApp({
    module: AppModule,
    config: {
      token: CADIP_CONFIG,
      value: loadCadipConfig({ KAFKA_ENABLED: 'false', PUBLIC_URL: 'http://cadip.test' }),
    },
    users: TEST_USERS,
  });
}
