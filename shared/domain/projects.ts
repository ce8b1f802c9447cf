/** Projects: resource groups holding a same-named Azure ML workspace, filtered by the access setting. */
import type { ResourceGroupInfo } from './ports';

export type ProjectAccessRule =
  | { mode: 'all' }
  /** Every project is a candidate; each user sees those their Azure roles grant (see project-access.ts). */
  | { mode: 'rbac' }
  | { mode: 'tag'; tag: string }
  | { mode: 'name-contains'; text: string };

export interface Project {
  name: string;
  location: string;
}

export const PROJECT_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$/;

/** Whether the access rule lets a resource group be offered as a project (workspace presence is checked apart). */
export function isOfferedByRule(group: ResourceGroupInfo, rule: ProjectAccessRule): boolean {
  switch (rule.mode) {
    case 'all':
    case 'rbac':
      return true;
    case 'tag':
      return Object.keys(group.tags).some((key) => key.toLowerCase() === rule.tag.toLowerCase());
    case 'name-contains':
      return group.name.toLowerCase().includes(rule.text.toLowerCase());
  }
}

export function candidateProjectGroups(groups: readonly ResourceGroupInfo[], rule: ProjectAccessRule): ResourceGroupInfo[] {
  return groups
    .filter((group) => PROJECT_NAME_PATTERN.test(group.name) && isOfferedByRule(group, rule))
    .sort((a, b) => a.name.localeCompare(b.name));
}
