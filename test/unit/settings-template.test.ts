import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentedSettings } from '../../shared/config/settings-template';

const template = JSON.parse(readFileSync(join(__dirname, '..', '..', 'local.settings.template.json'), 'utf8')) as {
  Values: Record<string, string>;
  Settings: Record<string, string>;
};

describe('local.settings.template.json', () => {
  const settings = documentedSettings();

  it('documents every setting the code reads, with its description and default', () => {
    expect(Object.keys(template.Settings).sort()).toEqual(settings.map((s) => s.name).sort());
    for (const setting of settings) {
      expect(template.Settings[setting.name]).toContain(setting.description);
      if (setting.default !== null) expect(template.Settings[setting.name]).toContain(`Default: ${setting.default}`);
      else expect(template.Settings[setting.name]).toMatch(/Required|Optional/);
    }
  });

  it('gives every setting a value that works on the local stack', () => {
    for (const setting of settings.filter((s) => s.required)) expect(template.Values[setting.name]).toBeTruthy();
  });

  it('knows every description', () => {
    for (const setting of settings) expect(setting.description.length).toBeGreaterThan(10);
  });
});

describe('README', () => {
  it('documents every setting', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    for (const setting of documentedSettings()) expect(readme).toContain(`\`${setting.name}\``);
  });
});
