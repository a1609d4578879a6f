import { ApiError } from './api';

/** What `GET /ibis-copilot/status` answers (the fields the frontend reads). */
export interface IServerStatus {
  version: string;
  python: string;
  ibis_version: string | null;
  model: { state: string; name: string | null; worker?: IWorkerStatus };
  index: { state: string };
}

/** The model's worker process, when the model runs in one. */
export interface IWorkerStatus {
  state: string;
  restarts: number;
  reason?: string;
  last_exit?: { what: string; at: string };
}

/** What happened to the model's worker process, for the status bar's title. */
export function describeWorker(worker: IWorkerStatus | undefined): string {
  if (!worker) {
    return '';
  }
  const parts: string[] = [];
  if (worker.state === 'down') {
    parts.push(`model worker down: ${worker.reason ?? 'unknown reason'}`);
  }
  if (worker.last_exit) {
    parts.push(
      `model worker last ended ${worker.last_exit.at}: ${worker.last_exit.what}` +
        ` (${worker.restarts} restarts)`
    );
  }
  return parts.map(part => `; ${part}`).join('');
}

/** How the status-bar item presents the server extension's state. */
export interface IStatusView {
  level: 'ok' | 'warning' | 'error';
  text: string;
  title: string;
}

/**
 * Describe the server extension's state for the user, given what the status
 * request returned (or threw) and this frontend's own version.
 */
export function describeStatus(
  result: IServerStatus | ApiError,
  frontendVersion: string
): IStatusView {
  if (result instanceof ApiError) {
    if (result.status === 404) {
      return {
        level: 'error',
        text: 'Ibis Copilot: server extension missing',
        title:
          'The ibis-copilot server extension is not running. Install it in the ' +
          'environment of the Jupyter server (pip install "ibis-copilot[server]"), check ' +
          "'jupyter server extension list', then restart JupyterLab."
      };
    }
    return {
      level: 'error',
      text: 'Ibis Copilot: server unreachable',
      title: `The ibis-copilot status request failed: ${result.message}`
    };
  }
  if (result.version !== frontendVersion) {
    return {
      level: 'warning',
      text: 'Ibis Copilot: version mismatch',
      title:
        `The frontend is ${frontendVersion} but the server extension is ` +
        `${result.version}. Reinstall ibis-copilot and restart JupyterLab.`
    };
  }
  const down = result.model.worker?.state === 'down';
  return {
    level: down ? 'warning' : 'ok',
    text: down ? 'Ibis Copilot: model down' : `Ibis Copilot ${result.version}`,
    title:
      `Server extension ${result.version} (Python ${result.python}, ` +
      `ibis ${result.ibis_version ?? 'not installed'}); ` +
      `model: ${result.model.state}; index: ${result.index.state}` +
      describeWorker(result.model.worker)
  };
}
