/**
 * The documented list of settings, derived from SETTINGS_SCHEMA: local.settings.template.json,
 * the README table and the deployment template are all checked against it.
 */
import { z } from 'zod';
import { SETTINGS_SCHEMA } from './settings';

export interface SettingDoc {
  name: string;
  description: string;
  required: boolean;
  /** The default as an app setting string, or null when there is none. */
  default: string | null;
}

interface JsonSchemaProperty {
  description?: string;
  default?: unknown;
}

export function documentedSettings(): SettingDoc[] {
  const json = z.toJSONSchema(SETTINGS_SCHEMA, { io: 'input', unrepresentable: 'any' }) as {
    properties: Record<string, JsonSchemaProperty>;
    required?: string[];
  };
  return Object.entries(json.properties).map(([name, property]) => ({
    name,
    description: property.description ?? '',
    required: json.required?.includes(name) === true && property.default === undefined,
    default: property.default === undefined ? null : String(property.default),
  }));
}
