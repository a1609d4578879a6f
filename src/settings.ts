import { ISettingRegistry } from '@jupyterlab/settingregistry';

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

/** Live settings: the current values, updated when the user changes them. */
export async function liveSettings(
  registry: ISettingRegistry | null
): Promise<() => ICopilotSettings> {
  let current = { ...DEFAULT_SETTINGS };
  if (!registry) {
    return () => current;
  }
  try {
    const settings = await registry.load(SETTINGS_ID);
    const read = () => {
      current = { ...DEFAULT_SETTINGS, ...(settings.composite as object) };
    };
    read();
    settings.changed.connect(read);
  } catch (error) {
    console.warn(
      'ibis-copilot: settings could not be loaded; using defaults',
      error
    );
  }
  return () => current;
}
