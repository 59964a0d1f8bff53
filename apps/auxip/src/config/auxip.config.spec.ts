import { authGuardOptions, loadAuxipConfig } from './auxip.config';

// The variables and their rules are guardedServiceEnv's (libs/auth-guard, tested there): only what is Auxip's here.
describe(loadAuxipConfig.name, () => {
  it("should listen on Auxip's port and name itself auxip to the guard and to Kafka", () => {
    const config = loadAuxipConfig({});
    expect(config.PORT).toBe(3001);
    const options = authGuardOptions(config);
    expect([options.serviceName, options.kafka && options.kafka.clientId]).toEqual(['auxip', 'auxip']);
  });
});
