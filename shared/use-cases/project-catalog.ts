/**
 * What users can pick: projects offered by the access rule and the sizes each region serves. Cached.
 * With PROJECT_ACCESS `rbac` the projects depend on who asks: `mayUse` (one decision, cached briefly)
 * filters the options list and is asked again at spawn, so both always agree.
 */
import { AppError } from '../domain/errors';
import type { AmlGateway, Clock, ResourceGroupInfo, SubnetInfo, VmSizeInfo } from '../domain/ports';
import { grantsProjectAccess } from '../domain/project-access';
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
  /** Used by the `rbac` rule: the subscription of the projects and the roles that grant access. */
  rbac: { subscriptionId: string; roleDefinitionIds: readonly string[]; cacheSeconds: number };
}

/**
 * Who is asking: the user's Entra object id, when the hub knows it; or `'anyone'` for the
 * control plane's own work on a server whose access was checked at spawn (provisioning, the sweep).
 */
export type ProjectViewer = { userObjectId: string | null } | 'anyone';

export type ProjectLookup =
  | { kind: 'offered'; project: Project }
  | { kind: 'not-offered'; reason: string }
  | { kind: 'unknown' };

export class ProjectCatalog {
  private readonly groups: TtlCache<ResourceGroupInfo[]>;
  private readonly projects: TtlCache<Project[]>;
  private readonly vmSizes: TtlCache<VmSizeInfo[]>;
  private readonly access: TtlCache<boolean>;
  private readonly subnets: TtlCache<SubnetInfo | null>;

  constructor(private readonly options: ProjectCatalogOptions) {
    this.groups = new TtlCache(options.cacheSeconds, options.clock);
    this.projects = new TtlCache(options.cacheSeconds, options.clock);
    this.vmSizes = new TtlCache(options.cacheSeconds, options.clock);
    this.access = new TtlCache(options.rbac.cacheSeconds, options.clock);
    this.subnets = new TtlCache(options.cacheSeconds, options.clock);
  }

  /** The projects this viewer may use. */
  async listProjects(viewer: ProjectViewer): Promise<Project[]> {
    const projects = await this.candidateProjects();
    if (this.options.accessRule.mode !== 'rbac' || viewer === 'anyone') return projects;
    const objectId = requireObjectId(viewer);
    const allowed = await Promise.all(projects.map((project) => this.mayUse(project.name, objectId)));
    return projects.filter((_, index) => allowed[index]);
  }

  async findProject(name: string, viewer: ProjectViewer): Promise<ProjectLookup> {
    const candidate = (await this.candidateProjects()).find((project) => project.name.toLowerCase() === name.toLowerCase());
    if (candidate) {
      if (this.options.accessRule.mode !== 'rbac' || viewer === 'anyone') return { kind: 'offered', project: candidate };
      if (await this.mayUse(candidate.name, requireObjectId(viewer))) return { kind: 'offered', project: candidate };
      return {
        kind: 'not-offered',
        reason: `You hold none of the roles that give access to project '${candidate.name}' (Azure role assignments on its resource group). Ask the project's owner for access.`,
      };
    }
    const exists = (await this.resourceGroups()).some((group) => group.name.toLowerCase() === name.toLowerCase());
    if (exists && (await this.options.aml.getWorkspace(name)) !== null) {
      return { kind: 'not-offered', reason: `Project '${name}' is not offered to this user.` };
    }
    return { kind: 'unknown' };
  }

  /** The tags of the project's resource group (e.g. its budget), empty when it has none or is unknown. */
  async projectTags(name: string): Promise<Record<string, string>> {
    return (await this.resourceGroups()).find((group) => group.name.toLowerCase() === name.toLowerCase())?.tags ?? {};
  }

  /** The subnet a project's tag or setting names, with its network's region (null: none); cached like the project list. */
  subnet(subnetId: string): Promise<SubnetInfo | null> {
    return this.subnets.get(subnetId.toLowerCase(), () => this.options.aml.getSubnet(subnetId));
  }

  async sizesIn(location: string): Promise<ResolvedSize[]> {
    return resolveSizes(this.options.sizeCandidates, await this.offeredVmSizes(location));
  }

  async sizeIn(label: SizeLabel, location: string): Promise<ResolvedSize | null> {
    return resolveSize(label, this.options.sizeCandidates[label], await this.offeredVmSizes(location));
  }

  /** Whether the user's role assignments grant access to the project (rbac rule). */
  private mayUse(project: string, objectId: string): Promise<boolean> {
    const { rbac } = this.options;
    return this.access.get(`${project.toLowerCase()}|${objectId.toLowerCase()}`, async () =>
      grantsProjectAccess(await this.options.aml.roleAssignmentsFor(project, objectId), {
        subscriptionId: rbac.subscriptionId,
        project,
        roleDefinitionIds: rbac.roleDefinitionIds,
      }),
    );
  }

  /** Projects offered by the access rule to anyone: resource groups that hold a same-named workspace. */
  private candidateProjects(): Promise<Project[]> {
    return this.projects.get('all', async () => {
      const groups = candidateProjectGroups(await this.resourceGroups(), this.options.accessRule);
      const workspaces = await Promise.all(groups.map((group) => this.options.aml.getWorkspace(group.name)));
      return workspaces
        .filter((workspace) => workspace !== null)
        .map((workspace) => ({ name: workspace.resourceGroup, location: workspace.location }));
    });
  }

  private resourceGroups(): Promise<ResourceGroupInfo[]> {
    return this.groups.get('all', () => this.options.aml.listResourceGroups());
  }

  private offeredVmSizes(location: string): Promise<VmSizeInfo[]> {
    return this.vmSizes.get(location.toLowerCase(), () => this.options.aml.listVmSizes(location));
  }
}

function requireObjectId(viewer: { userObjectId: string | null }): string {
  if (viewer.userObjectId) return viewer.userObjectId;
  throw new AppError(
    'project-forbidden',
    "Projects are offered by Azure role assignments (PROJECT_ACCESS=rbac), and this request does not say who the user is: it needs the user's Entra object id (userObjectId). Sign in to JupyterHub with Entra ID and keep auth state on so the hub passes it.",
  );
}
