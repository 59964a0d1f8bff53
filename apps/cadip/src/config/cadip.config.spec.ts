import { authGuardOptions, loadCadipConfig } from './cadip.config';

// The variables and their rules are guardedServiceEnv's (libs/auth-guard, tested there): only what is Cadip's here.
describe(loadCadipConfig.name, () => {
  it("should listen on Cadip's port and name itself cadip to the guard and to Kafka", () => {
    const config = loadCadipConfig({});
    expect(config.PORT).toBe(3002);
    const options = authGuardOptions(config);
    expect([options.serviceName, options.kafka && options.kafka.clientId]).toEqual(['cadip', 'cadip']);
  });
});
