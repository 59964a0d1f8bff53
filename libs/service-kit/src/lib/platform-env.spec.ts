import { EnvValidationError, readEnv } from './env.util';
import { httpEnv, managementAddress } from './platform-env';

describe(managementAddress.name, () => {
  it('should default to HOST and PORT + 1000', () => {
    expect(managementAddress(readEnv(httpEnv(3001), {}))).toEqual({ host: '127.0.0.1', port: 4001 });
    expect(managementAddress(readEnv(httpEnv(3001), { PORT: '8080', HOST: '0.0.0.0' }))).toEqual({
      host: '0.0.0.0',
      port: 9080,
    });
  });

  it('should take MANAGEMENT_HOST and MANAGEMENT_PORT when set', () => {
    const config = readEnv(httpEnv(3001), { MANAGEMENT_HOST: '10.0.0.7', MANAGEMENT_PORT: '9464' });
    expect(managementAddress(config)).toEqual({ host: '10.0.0.7', port: 9464 });
  });

  it('should pick a free port (0) when PORT is 0', () => {
    expect(managementAddress({ HOST: '127.0.0.1', PORT: 0 })).toEqual({ host: '127.0.0.1', port: 0 });
  });

  it('should refuse a default beyond 65535 and a management port equal to PORT', () => {
    expect(() => managementAddress({ HOST: '127.0.0.1', PORT: 65000 })).toThrow(EnvValidationError);
    expect(() => managementAddress({ HOST: '127.0.0.1', PORT: 65000 })).toThrow('MANAGEMENT_PORT is required');
    expect(() => managementAddress({ HOST: '127.0.0.1', PORT: 3000, MANAGEMENT_PORT: 3000 })).toThrow(
      'MANAGEMENT_PORT must differ from PORT',
    );
  });

  it('should refuse a MANAGEMENT_PORT that is not a port', () => {
    expect(() => readEnv(httpEnv(3001), { MANAGEMENT_PORT: '70000' })).toThrow(
      "MANAGEMENT_PORT must be an integer in [0, 65535], got '70000'",
    );
  });
});
