/**
 * Where a person lands when their server runs: one of the applications Azure ML lists on the
 * instance (`properties.properties.applications[{displayName, endpointUri}]`). The standard ones are
 * offered on every project; a project's custom services (Azure's `customServices`, e.g. RStudio from
 * an image) are offered on that project and are listed by Azure under the service's name.
 */

/** An application as the instance lists it. */
export interface InstanceApplication {
  displayName: string;
  endpointUri: string;
}

/** A landing choice as `/api/options` offers it: `id` goes in the spawn's `app`, `name` is for people. */
export interface LandingApp {
  id: string;
  name: string;
}

export const DEFAULT_APP = 'jupyterlab';

/**
 * The choices every instance offers, each with how Azure names it among the instance's applications.
 * VS Code is its browser edition ("VS Code (Web)"); the desktop "VS Code" entry is a `vscode:` link
 * that only opens on a machine with VS Code installed, so it is never a landing page.
 */
const STANDARD_APPS: readonly (LandingApp & { listedAs: RegExp })[] = [
  { id: 'jupyterlab', name: 'JupyterLab', listedAs: /^\s*jupyter\s*lab\s*$/i },
  { id: 'jupyter', name: 'Jupyter', listedAs: /^\s*jupyter\s*$/i },
  { id: 'vscode', name: 'VS Code', listedAs: /^\s*vs\s*code\s*\(\s*web\s*\)\s*$/i },
];

/** A custom service's name as Azure accepts it (letters, digits, `-` and `_`), which is also its app id. */
export const APP_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The app ids the standard choices take: a custom service of the same name is not offered twice. */
const STANDARD_IDS = new Set(STANDARD_APPS.map((app) => app.id));

/** The landing choices of a project: the standard ones, then its custom services in their order. */
export function landingChoices(customServiceNames: readonly string[]): LandingApp[] {
  const custom = [...new Set(customServiceNames)]
    .filter((name) => APP_ID_PATTERN.test(name) && !STANDARD_IDS.has(name.toLowerCase()))
    .map((name) => ({ id: name, name }));
  return [...STANDARD_APPS.map(({ id, name }) => ({ id, name })), ...custom];
}

/**
 * The landing url of each app the instance lists, by app id: JupyterLab is `jupyterLabUrl` (which
 * also derives it from the classic Jupyter entry), the other standard apps their entries, and any
 * other http(s) application (a custom service) under its display name.
 */
export function landingUrls(applications: readonly InstanceApplication[], jupyterLabUrl: string | null): Record<string, string> {
  const urls: Record<string, string> = {};
  if (jupyterLabUrl !== null) urls[DEFAULT_APP] = jupyterLabUrl;
  for (const application of applications) {
    if (!isWebUrl(application.endpointUri)) continue;
    const standard = STANDARD_APPS.find((app) => app.listedAs.test(application.displayName));
    if (standard) {
      urls[standard.id] ??= application.endpointUri;
    } else if (/^\s*vs\s*code\s*$/i.test(application.displayName)) {
      continue; // the desktop link, see STANDARD_APPS
    } else if (APP_ID_PATTERN.test(application.displayName) && !STANDARD_IDS.has(application.displayName.toLowerCase())) {
      urls[application.displayName] ??= application.endpointUri;
    }
  }
  return urls;
}

function isWebUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const { protocol } = new URL(text);
  return protocol === 'https:' || protocol === 'http:';
}
