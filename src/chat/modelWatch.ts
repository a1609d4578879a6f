import { describeModel, IModelStatus } from './state';

/** A running watch; `stop` ends it (no more callbacks). */
export interface IWatch {
  stop(): void;
}

/**
 * Poll the model's state every `intervalMs` while an answer waits for its first token,
 * and say what is going on: "Loading the model …" while it loads, else "Thinking…".
 * Failed polls are ignored (the request itself reports failures).
 */
export function watchModel(
  fetchModel: () => Promise<IModelStatus>,
  onText: (text: string) => void,
  intervalMs = 1000,
  now: () => number = Date.now
): IWatch {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const poll = async () => {
    try {
      const model = await fetchModel();
      if (!stopped) {
        onText(describeModel(model, now() / 1000).text || 'Thinking…');
      }
    } catch {
      // the request itself reports failures
    }
    if (!stopped) {
      timer = setTimeout(() => void poll(), intervalMs);
    }
  };
  onText('Thinking…');
  void poll();
  return {
    stop: () => {
      stopped = true;
      if (timer !== null) {
        clearTimeout(timer);
      }
    }
  };
}
