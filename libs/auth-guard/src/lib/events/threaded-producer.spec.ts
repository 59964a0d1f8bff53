import { ThreadedProducer } from './threaded-producer';

describe(ThreadedProducer.name, () => {
  let sut: ThreadedProducer;

  beforeEach(() => {
    // Nothing listens on port 1: every kafkajs call fails fast, in the thread.
    sut = new ThreadedProducer({
      client: { clientId: 'spec', brokers: ['127.0.0.1:1'], connectionTimeout: 200, retry: { retries: 0 } },
      producer: { allowAutoTopicCreation: false, retry: { retries: 0 } },
    });
  });

  afterEach(() => sut.terminate());

  it('should run kafkajs in its thread and bring its errors back to the caller', async () => {
    await expect(sut.connect()).rejects.toThrow(/ECONNREFUSED|Connection error|connect/i);
  });

  it('should fail the calls in flight when the thread is stopped, and start a new thread on the next call', async () => {
    const inFlight = sut.send({ topic: 'usage', messages: [{ key: 'k', value: 'v' }] });
    await sut.terminate();
    await expect(inFlight).rejects.toThrow(/thread exited/);
    await expect(sut.connect()).rejects.toThrow(/ECONNREFUSED|Connection error|connect/i);
  });

  it('should resolve a disconnect without ever starting a thread', async () => {
    await expect(sut.disconnect()).resolves.toBeUndefined();
  });
});
