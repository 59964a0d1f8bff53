import { eventually } from './eventually.util';

describe(eventually.name, () => {
  it('should retry until the probe passes', async () => {
    let calls = 0;
    await expect(
      eventually(
        () => {
          calls++;
          if (calls < 3) throw new Error('not yet');
          return 'done';
        },
        1000,
        1,
      ),
    ).resolves.toBe('done');
    expect(calls).toBe(3);
  });

  it('should rethrow the last failure after the timeout', async () => {
    await expect(eventually(() => Promise.reject(new Error('never')), 20, 5)).rejects.toThrow('never');
  });
});
