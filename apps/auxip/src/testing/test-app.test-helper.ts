import type { INestApplication } from '@nestjs/common';
import { createGuardedTestApp } from '@rs/testing';
import { AppModule } from '../app.module';
import { AUXIP_CONFIG, loadAuxipConfig } from '../config/auxip.config';

/** Demo users of the unit specs, by the bearer "token" that stands for them. */
export const TEST_USERS: Record<string, string[]> = {
  alice: ['rs_auxip_adgs_read', 'rs_auxip_adgs_download', 'rs_auxip_landing_page'],
  bob: ['rs_auxip_adgs_read'],
  carol: [],
};

/** The whole app with the real guard (see createGuardedTestApp); no Kafka. */
export function createTestApp(): Promise<INestApplication> {
  return createGuardedTestApp({
    module: AppModule,
    config: {
      token: AUXIP_CONFIG,
      value: loadAuxipConfig({ KAFKA_ENABLED: 'false', PUBLIC_URL: 'http://auxip.test' }),
    },
    users: TEST_USERS,
  });
}
