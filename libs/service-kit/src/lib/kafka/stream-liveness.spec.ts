import { StreamLiveness } from './stream-liveness';

describe('StreamLiveness', () => {
  afterEach(() => jest.useRealTimers());

  it('should be live only between a join and a stop', () => {
    const sut = new StreamLiveness();
    expect(sut.isLive()).toBe(false);
    sut.markListening();
    expect(sut.isLive()).toBe(true);
    sut.markStopped();
    expect(sut.isLive()).toBe(false);
  });

  it('should go stale without activity and come back with it', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const sut = new StreamLiveness(5_000);
    sut.markListening();
    jest.advanceTimersByTime(5_000);
    expect(sut.isLive()).toBe(false);
    sut.markActivity();
    expect(sut.isLive()).toBe(true);
  });
});
