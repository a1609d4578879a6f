import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ISignal, Signal } from '@lumino/signaling';

/** Every user setting (schema/plugin.json), with its default. */
export interface ICopilotSettings {
  completions: boolean;
  debounceMs: number;
  maxCompletionTokens: number;
  autoExplain: boolean;
  sendSchemas: boolean;
  sendCells: boolean;
}

export const DEFAULT_SETTINGS: ICopilotSettings = {
  completions: true,
  debounceMs: 250,
  maxCompletionTokens: 48,
  autoExplain: false,
  sendSchemas: true,
  sendCells: true
};

export const SETTINGS_ID = 'ibis-copilot:plugin';

/** The settings from a composite value: each of the right type, else its default. */
export function readSettings(composite: unknown): ICopilotSettings {
  const values = (composite ?? {}) as Record<string, unknown>;
  const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const [key, fallback] of Object.entries(DEFAULT_SETTINGS)) {
    const value = values[key];
    if (typeof value === typeof fallback && !Number.isNaN(value)) {
      settings[key] = value;
    }
  }
  return settings as unknown as ICopilotSettings;
}

/**
 * The settings as they are now, and a signal when the user changes them. Every reader
 * either reads `current` at the moment it acts, or listens to `changed`: a change
 * reaches open chat panels and the completion provider without a reload.
 */
export class LiveSettings {
  private value: ICopilotSettings;
  private changedSignal = new Signal<this, ICopilotSettings>(this);

  constructor(initial: Partial<ICopilotSettings> = {}) {
    this.value = readSettings({ ...DEFAULT_SETTINGS, ...initial });
  }

  get current(): ICopilotSettings {
    return this.value;
  }

  /** Emitted with the new settings after any of them changed. */
  get changed(): ISignal<this, ICopilotSettings> {
    return this.changedSignal;
  }

  /** Take new values (a composite settings object); emits when something changed. */
  update(composite: unknown): void {
    const next = readSettings(composite);
    const keys = Object.keys(next) as (keyof ICopilotSettings)[];
    if (keys.some(key => next[key] !== this.value[key])) {
      this.value = next;
      this.changedSignal.emit(next);
    }
  }

  /** Settings that follow the registry's `SETTINGS_ID` (defaults without one). */
  static async load(registry: ISettingRegistry | null): Promise<LiveSettings> {
    const live = new LiveSettings();
    if (!registry) {
      return live;
    }
    try {
      const settings = await registry.load(SETTINGS_ID);
      live.follow(settings);
    } catch (error) {
      console.warn(
        'ibis-copilot: settings could not be loaded; using defaults',
        error
      );
    }
    return live;
  }

  /** Track a plugin's settings: their values now, and every later change. */
  follow(settings: ISettingRegistry.ISettings): void {
    this.update(settings.composite);
    settings.changed.connect(() => this.update(settings.composite));
  }
}
