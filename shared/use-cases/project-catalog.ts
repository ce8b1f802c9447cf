/** What users can pick: projects offered by the access rule and the sizes each region serves. Cached. */
import type { AmlGateway, Clock, ResourceGroupInfo, VmSizeInfo } from '../domain/ports';
import { candidateProjectGroups, type Project, type ProjectAccessRule } from '../domain/projects';
import { resolveSize, resolveSizes, type ResolvedSize } from '../domain/sizes';
import type { SizeLabel } from '../domain/server';
import { TtlCache } from './ttl-cache';

export interface ProjectCatalogOptions {
  aml: AmlGateway;
  clock: Clock;
  accessRule: ProjectAccessRule;
  sizeCandidates: Record<SizeLabel, readonly string[]>;
  cacheSeconds: number;
}

export type ProjectLookup =
  | { kind: 'offered'; project: Project }
  | { kind: 'not-offered' }
  | { kind: 'unknown' };

export class ProjectCatalog {
  private readonly groups: TtlCache<ResourceGroupInfo[]>;
  private readonly projects: TtlCache<Project[]>;
  private readonly vmSizes: TtlCache<VmSizeInfo[]>;

  constructor(private readonly options: ProjectCatalogOptions) {
    this.groups = new TtlCache(options.cacheSeconds, options.clock);
    this.projects = new TtlCache(options.cacheSeconds, options.clock);
    this.vmSizes = new TtlCache(options.cacheSeconds, options.clock);
  }

  /** Projects offered by the access rule: resource groups that hold a same-named workspace. */
  listProjects(): Promise<Project[]> {
    return this.projects.get('all', async () => {
      const groups = candidateProjectGroups(await this.resourceGroups(), this.options.accessRule);
      const workspaces = await Promise.all(groups.map((group) => this.options.aml.getWorkspace(group.name)));
      return workspaces
        .filter((workspace) => workspace !== null)
        .map((workspace) => ({ name: workspace.resourceGroup, location: workspace.location }));
    });
  }

  async findProject(name: string): Promise<ProjectLookup> {
    const offered = (await this.listProjects()).find((project) => project.name.toLowerCase() === name.toLowerCase());
    if (offered) return { kind: 'offered', project: offered };
    const exists = (await this.resourceGroups()).some((group) => group.name.toLowerCase() === name.toLowerCase());
    if (exists && (await this.options.aml.getWorkspace(name)) !== null) return { kind: 'not-offered' };
    return { kind: 'unknown' };
  }

  async sizesIn(location: string): Promise<ResolvedSize[]> {
    return resolveSizes(this.options.sizeCandidates, await this.offeredVmSizes(location));
  }

  async sizeIn(label: SizeLabel, location: string): Promise<ResolvedSize | null> {
    return resolveSize(label, this.options.sizeCandidates[label], await this.offeredVmSizes(location));
  }

  private resourceGroups(): Promise<ResourceGroupInfo[]> {
    return this.groups.get('all', () => this.options.aml.listResourceGroups());
  }

  private offeredVmSizes(location: string): Promise<VmSizeInfo[]> {
    return this.vmSizes.get(location.toLowerCase(), () => this.options.aml.listVmSizes(location));
  }
}
