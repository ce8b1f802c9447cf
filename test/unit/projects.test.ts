import type { ResourceGroupInfo } from '../../shared/domain/ports';
import { candidateProjectGroups, type ProjectAccessRule } from '../../shared/domain/projects';

const groups: ResourceGroupInfo[] = [
  { name: 'ocean-lab', location: 'westeurope', tags: { jupyterhub: 'enabled' } },
  { name: 'climate-lab', location: 'westeurope', tags: { JupyterHub: 'enabled' } },
  { name: 'shared-networking', location: 'westeurope', tags: {} },
  { name: 'Pangeo-demo', location: 'eastus', tags: {} },
  { name: 'x', location: 'eastus', tags: { jupyterhub: 'enabled' } },
];

describe('project access rule', () => {
  it.each<[string, ProjectAccessRule, string[]]>([
    ['all', { mode: 'all' }, ['climate-lab', 'ocean-lab', 'Pangeo-demo', 'shared-networking']],
    ['rbac (every group a candidate; roles decide per user)', { mode: 'rbac' }, ['climate-lab', 'ocean-lab', 'Pangeo-demo', 'shared-networking']],
    ['tag (case-insensitive)', { mode: 'tag', tag: 'jupyterhub' }, ['climate-lab', 'ocean-lab']],
    ['name-contains', { mode: 'name-contains', text: 'pangeo' }, ['Pangeo-demo']],
  ])('%s', (_name, rule, expected) => {
    expect(candidateProjectGroups(groups, rule).map((group) => group.name)).toEqual(expected);
  });
});
