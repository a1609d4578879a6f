import { Debouncer } from '../debounce';

describe('Debouncer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs only the last call of a burst, after the pause', async () => {
    const debouncer = new Debouncer(200);
    const work = jest.fn(async () => 'done');
    const first = debouncer.run(work);
    jest.advanceTimersByTime(100);
    const second = debouncer.run(work);
    jest.advanceTimersByTime(199);
    expect(work).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    await expect(first).resolves.toBeNull();
    await expect(second).resolves.toBe('done');
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('aborts the running call when typing continues', async () => {
    const debouncer = new Debouncer(10);
    let seen: AbortSignal | null = null;
    const running = debouncer.run(
      signal =>
        new Promise<string>(resolve => {
          seen = signal;
          signal.addEventListener('abort', () => resolve('aborted'));
        })
    );
    jest.advanceTimersByTime(10);
    expect(seen!.aborted).toBe(false);
    void debouncer.run(async () => 'next');
    expect(seen!.aborted).toBe(true);
    await expect(running).resolves.toBe('aborted');
  });
});
