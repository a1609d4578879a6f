import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { Signal } from '@lumino/signaling';

import {
  DEFAULT_SETTINGS,
  ICopilotSettings,
  LiveSettings,
  readSettings,
  SETTINGS_ID
} from '../settings';

const SCHEMA_DIR = join(__dirname, '..', '..', 'schema');

/** Every property of every settings schema, by name. */
function schemaProperties(): Record<string, { type: string; default: any }> {
  const properties = {};
  for (const file of readdirSync(SCHEMA_DIR).filter(f => f.endsWith('.json'))) {
    const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf-8'));
    Object.assign(properties, schema.properties ?? {});
  }
  return properties;
}

/** A plugin's settings as the registry hands them out, changed by the test. */
class FakeSettings {
  composite: Record<string, unknown>;
  changed = new Signal<this, void>(this);

  constructor(values: Partial<ICopilotSettings>) {
    this.composite = { ...DEFAULT_SETTINGS, ...values };
  }

  set(key: keyof ICopilotSettings, value: unknown): void {
    this.composite = { ...this.composite, [key]: value };
    this.changed.emit();
  }
}

describe('settings', () => {
  it('knows every setting of the schema, with the same default and type', () => {
    const properties = schemaProperties();
    expect(Object.keys(DEFAULT_SETTINGS).sort()).toEqual(
      Object.keys(properties).sort()
    );
    for (const [key, property] of Object.entries(properties)) {
      const value = DEFAULT_SETTINGS[key as keyof ICopilotSettings];
      expect([key, value]).toEqual([key, property.default]);
      const type = property.type === 'integer' ? 'number' : property.type;
      expect([key, typeof value]).toEqual([key, type]);
    }
  });

  it('takes each value of the right type and defaults the rest', () => {
    expect(
      readSettings({ debounceMs: 400, completions: 'yes', unknown: 1 })
    ).toEqual({ ...DEFAULT_SETTINGS, debounceMs: 400 });
    expect(readSettings(null)).toEqual(DEFAULT_SETTINGS);
  });

  it('applies every change of the registry live, with a signal', async () => {
    const fake = new FakeSettings({ sendSchemas: false });
    const registry = {
      load: jest.fn(async () => fake)
    } as unknown as ISettingRegistry;
    const live = await LiveSettings.load(registry);
    expect(registry.load).toHaveBeenCalledWith(SETTINGS_ID);
    expect(live.current.sendSchemas).toBe(false);

    const seen: ICopilotSettings[] = [];
    live.changed.connect((_, current) => seen.push(current));
    const changes: Partial<ICopilotSettings> = {
      completions: false,
      debounceMs: 900,
      maxCompletionTokens: 12,
      autoExplain: true,
      sendSchemas: true,
      sendCells: false
    };
    expect(Object.keys(changes).sort()).toEqual(
      Object.keys(schemaProperties()).sort()
    );
    for (const [key, value] of Object.entries(changes)) {
      fake.set(key as keyof ICopilotSettings, value);
      expect(live.current[key as keyof ICopilotSettings]).toBe(value);
    }
    expect(seen).toHaveLength(Object.keys(changes).length);
    expect(live.current).toEqual(changes);

    fake.set('debounceMs', 900); // no change, no signal
    expect(seen).toHaveLength(Object.keys(changes).length);
  });

  it('uses the defaults without a registry, or when it fails', async () => {
    expect((await LiveSettings.load(null)).current).toEqual(DEFAULT_SETTINGS);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    const failing = {
      load: async () => {
        throw new Error('no schema');
      }
    } as unknown as ISettingRegistry;
    expect((await LiveSettings.load(failing)).current).toEqual(
      DEFAULT_SETTINGS
    );
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });
});
