/**
 * A scratch copy of a fixture app under test-artifacts/ (git-ignored, inside the repository so the
 * copy still resolves @azure/functions and durable-functions from the repository's node_modules),
 * optionally with a local.settings.json, which git ignores and so cannot live in the fixture.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './host-process';

export interface AppCopy {
  dir: string;
  remove(): void;
}

export function copyFixtureApp(fixture: string, localSettings?: Record<string, string>): AppCopy {
  const parent = join(REPO_ROOT, 'test-artifacts');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, `${fixture}-`));
  cpSync(join(REPO_ROOT, 'test', 'fixtures', fixture), dir, { recursive: true });
  if (localSettings) {
    writeFileSync(join(dir, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: localSettings }, null, 2));
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function fixtureDir(fixture: string): string {
  return join(REPO_ROOT, 'test', 'fixtures', fixture);
}
