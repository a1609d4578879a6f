import { watchModel } from '../chat/modelWatch';

describe('watchModel', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('says Thinking… at once, then what the model is doing, until stopped', async () => {
    const texts: string[] = [];
    let state = { state: 'loading', name: 'm', since: 100 };
    const fetchModel = jest.fn(async () => state);
    const watch = watchModel(
      fetchModel,
      t => texts.push(t),
      1000,
      () => 103_000
    );
    expect(texts).toEqual(['Thinking…']);
    await jest.advanceTimersByTimeAsync(0);
    expect(texts[1]).toBe('Loading the model m… (3 s)');
    state = { state: 'ready', name: 'm', since: 100 };
    await jest.advanceTimersByTimeAsync(1000);
    expect(texts[2]).toBe('Thinking…');
    watch.stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(fetchModel).toHaveBeenCalledTimes(2);
    expect(texts).toHaveLength(3);
  });

  it('keeps polling through failed requests', async () => {
    const texts: string[] = [];
    const fetchModel = jest
      .fn()
      .mockRejectedValueOnce(new Error('down'))
      .mockResolvedValue({ state: 'not loaded' });
    const watch = watchModel(fetchModel, t => texts.push(t), 10);
    await jest.advanceTimersByTimeAsync(10);
    expect(texts).toEqual([
      'Thinking…',
      'The model loads on the first question.'
    ]);
    watch.stop();
  });
});
