import { ApiError } from '../api';
import {
  citationLabel,
  describeFailure,
  describeModel,
  restoreState
} from '../chat/state';

describe('chat state', () => {
  it('restores saved conversations and marks an interrupted answer', () => {
    const state = restoreState({
      conversationId: 'abc',
      messages: [
        { role: 'user', text: 'q' },
        { role: 'assistant', text: 'partial', streaming: true },
        { role: 'bogus', text: 'x' }
      ]
    });
    expect(state.conversationId).toBe('abc');
    expect(state.messages).toEqual([
      { role: 'user', text: 'q' },
      {
        role: 'assistant',
        text: 'partial',
        streaming: false,
        note: 'interrupted by a reload'
      }
    ]);
    expect(restoreState(null)).toEqual({ conversationId: null, messages: [] });
    expect(restoreState({ messages: 'nope' }).messages).toEqual([]);
  });

  it('labels citations', () => {
    expect(
      citationLabel({ title: 'Joins', heading: 'Left join', url: 'u' })
    ).toBe('Joins > Left join');
    expect(citationLabel({ title: 'Joins', url: 'u' })).toBe('Joins');
  });

  it('says clearly why a request failed', () => {
    const busy = new ApiError('queue full', 429, 'QueueFull');
    busy.retryAfter = 3;
    expect(describeFailure(busy)).toBe(
      'The assistant is busy with other requests; try again in 3 s.'
    );
    expect(describeFailure(new ApiError('x', 404, 'HTTPError'))).toMatch(
      /server extension is missing/
    );
    expect(
      describeFailure(new ApiError('no model', 503, 'ModelUnavailable'))
    ).toBe('The model is not available: no model');
    expect(describeFailure(new ApiError('refused', 0, 'NetworkError'))).toMatch(
      /cannot be reached/
    );
  });

  it('describes the model state', () => {
    expect(
      describeModel({ state: 'loading', name: 'm', since: 100 }, 112)
    ).toEqual({
      busy: true,
      text: 'Loading the model m… (12 s)'
    });
    expect(describeModel({ state: 'error', message: 'boom' }, 0).text).toBe(
      'The model failed to load: boom'
    );
    expect(
      describeModel(
        {
          state: 'restarting',
          worker: {
            state: 'restarting',
            restarts: 1,
            last_exit: { what: 'killed by SIGKILL', at: 'now' }
          }
        },
        0
      )
    ).toEqual({
      busy: true,
      text: 'The model worker stopped (killed by SIGKILL); restarting…'
    });
    expect(describeModel({ state: 'ready' }, 0)).toEqual({
      busy: false,
      text: ''
    });
  });
});
