/**
 * App settings as the Functions host sees them: the process environment, plus `Values` from
 * `local.settings.json` in the app folder (the environment wins). Like Core Tools, settings from
 * the file are copied into `process.env`, because that is where Azure puts app settings.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type AppSettings = Readonly<Record<string, string>>;

export class AppSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppSettingsError';
  }
}

export interface LoadedAppSettings {
  settings: AppSettings;
  /** Names taken from local.settings.json (not already in the environment). */
  fromFile: string[];
}

export function loadAppSettings(appDir: string, env: NodeJS.ProcessEnv = process.env): LoadedAppSettings {
  const file = join(appDir, 'local.settings.json');
  const values = existsSync(file) ? readValues(file) : {};
  const fromFile: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (env[name] === undefined) {
      env[name] = value;
      fromFile.push(name);
    }
  }
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) settings[name] = value;
  }
  return { settings, fromFile };
}

function readValues(file: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AppSettingsError(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const values = (parsed as { Values?: unknown } | null)?.Values;
  if (values === undefined) return {};
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new AppSettingsError(`${file}: "Values" must be an object of strings`);
  }
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    // Azure app settings are strings; numbers and booleans in the file are stringified, as Core Tools does.
    if (value === null || typeof value === 'object') {
      throw new AppSettingsError(`${file}: Values.${name} must be a string`);
    }
    result[name] = String(value);
  }
  return result;
}

/**
 * Replaces `%NAME%` with the app setting NAME, as the host does for binding expressions such as a
 * timer schedule. A missing setting is an error naming it.
 */
export function resolveSettingReferences(text: string, settings: AppSettings): string {
  return text.replace(/%([^%]+)%/g, (_match, name: string) => {
    const value = settings[name];
    if (value === undefined) throw new AppSettingsError(`App setting "${name}" is not defined (referenced as %${name}%)`);
    return value;
  });
}
