import { ApiError } from '../api';
import { describeStatus, IServerStatus } from '../status';

const serverStatus: IServerStatus = {
  version: '0.1.0',
  python: '3.11.7',
  ibis_version: '12.0.0',
  model: { state: 'not configured', name: null },
  index: { state: 'absent' }
};

describe('describeStatus', () => {
  it('reports a matching server extension as ok', () => {
    const view = describeStatus(serverStatus, '0.1.0');
    expect(view.level).toBe('ok');
    expect(view.text).toBe('Ibis Copilot 0.1.0');
    expect(view.title).toContain('ibis 12.0.0');
    expect(view.title).toContain('index: absent');
  });

  it('says when the model worker is down, and what last happened to it', () => {
    const worker = {
      state: 'down',
      restarts: 2,
      reason: 'cannot load model',
      last_exit: {
        what: 'failed to start: cannot load model',
        at: '2026-11-30T12:00:00+00:00'
      }
    };
    const view = describeStatus(
      { ...serverStatus, model: { state: 'error', name: 'm', worker } },
      '0.1.0'
    );
    expect(view.level).toBe('warning');
    expect(view.text).toBe('Ibis Copilot: model down');
    expect(view.title).toContain('model worker down: cannot load model');
    expect(view.title).toContain('2026-11-30T12:00:00+00:00');
    expect(view.title).toContain('(2 restarts)');
  });

  it('reports a restarted worker as ok, with its last exit in the title', () => {
    const worker = {
      state: 'ready',
      restarts: 1,
      last_exit: { what: 'killed by SIGKILL', at: '2026-11-30T12:00:00+00:00' }
    };
    const view = describeStatus(
      { ...serverStatus, model: { state: 'ready', name: 'm', worker } },
      '0.1.0'
    );
    expect(view.level).toBe('ok');
    expect(view.title).toContain('killed by SIGKILL');
  });

  it('tells the user plainly when the server extension is missing', () => {
    const view = describeStatus(
      new ApiError('Not Found', 404, 'NotFound'),
      '0.1.0'
    );
    expect(view.level).toBe('error');
    expect(view.text).toBe('Ibis Copilot: server extension missing');
    expect(view.title).toContain('jupyter server extension list');
  });

  it('warns about a version mismatch, naming both versions', () => {
    const view = describeStatus({ ...serverStatus, version: '0.0.9' }, '0.1.0');
    expect(view.level).toBe('warning');
    expect(view.text).toBe('Ibis Copilot: version mismatch');
    expect(view.title).toContain('0.1.0');
    expect(view.title).toContain('0.0.9');
  });

  it('reports other failures as unreachable with the reason', () => {
    const view = describeStatus(
      new ApiError('network error: boom', 0, 'NetworkError'),
      '0.1.0'
    );
    expect(view.level).toBe('error');
    expect(view.text).toBe('Ibis Copilot: server unreachable');
    expect(view.title).toContain('boom');
  });
});
