/**
 * Per-project compute settings (domain/compute-settings.ts): tags over settings, every bad value
 * named by where it came from, and the create body Azure ML expects (to-arm-compute.ts and the
 * policy that adds what SDK 2.1.1 does not model).
 */
import {
  NO_COMPUTE_SETTINGS,
  parseSubnetId,
  resolveComputeSettings,
  subnetProblem,
  type ComputeSettings,
} from '../../shared/domain/compute-settings';
import { loadSettings, SettingsError } from '../../shared/config/settings';
import { toArmComputeInstance, unmodelledComputeProperties } from '../../shared/adapters/aml/to-arm-compute';
import { computePropertiesHeader, COMPUTE_PROPERTIES_HEADER, withComputeProperties } from '../../shared/adapters/aml/compute-properties-policy';
import { classifyArmError } from '../../shared/adapters/aml/arm-error-mapper';
import type { CreateComputeRequest } from '../../shared/domain/ports';

const SUBNET = '/subscriptions/00000000-0000-0000-0000-00000000a4b1/resourceGroups/shared-networking/providers/Microsoft.Network/virtualNetworks/hub-vnet/subnets/compute';
const OTHER_SUBNET = '/subscriptions/00000000-0000-0000-0000-00000000a4b1/resourceGroups/shared-networking/providers/Microsoft.Network/virtualNetworks/dr-vnet/subnets/compute';
const RSTUDIO = [{
  name: 'rstudio',
  image: { type: 'docker', reference: 'ghcr.io/azure/rocker-rstudio-ml-verse:latest' },
  endpoints: [{ name: 'connect', target: 8787, published: 8787, protocol: 'http' }],
  volumes: [{ type: 'bind', readOnly: false, source: '/home/azureuser/cloudfiles', target: '/home/azureuser/cloudfiles' }],
}];

describe('resolveComputeSettings', () => {
  it('is empty when neither tags nor settings say anything', () => {
    expect(resolveComputeSettings({}, {})).toEqual({ ok: true, settings: NO_COMPUTE_SETTINGS, sources: {} });
  });

  it('takes the settings as defaults and lets each tag win (tag names case-insensitive, an empty tag is unset)', () => {
    const result = resolveComputeSettings(
      { 'AML-JupyterHub-Subnet': OTHER_SUBNET, 'aml-jupyterhub-public-ip': 'False', 'aml-jupyterhub-sso': '  ' },
      { subnetId: SUBNET, enableNodePublicIp: 'true', enableSso: 'true', creationScript: 'Users/admin/setup.sh' },
    );
    expect(result).toEqual({
      ok: true,
      settings: { ...NO_COMPUTE_SETTINGS, subnetId: OTHER_SUBNET, enableNodePublicIp: false, enableSso: true, creationScript: 'Users/admin/setup.sh' },
      sources: {
        subnetId: 'tag aml-jupyterhub-subnet',
        enableNodePublicIp: 'tag aml-jupyterhub-public-ip',
        enableSso: 'COMPUTE_ENABLE_SSO',
        creationScript: 'COMPUTE_SETUP_SCRIPT',
      },
    });
  });

  it('parses custom services from their JSON', () => {
    const result = resolveComputeSettings({ 'aml-jupyterhub-custom-services': JSON.stringify(RSTUDIO) }, {});
    expect(result.ok && result.settings.customServices).toEqual(RSTUDIO);
  });

  it('names every bad value by the tag or setting it came from', () => {
    const result = resolveComputeSettings(
      {
        'aml-jupyterhub-subnet': '/subscriptions/x/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v',
        'aml-jupyterhub-setup-script': '../etc/passwd',
        'aml-jupyterhub-custom-services': '[{"name":"rstudio","endpoints":[{"target":"8787"}]}]',
      },
      { enableNodePublicIp: 'no', startupScript: '/abs/start.sh', enableSso: 'yes' },
    );
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((problem) => problem.name)).toEqual([
      'tag aml-jupyterhub-subnet',
      'COMPUTE_NODE_PUBLIC_IP',
      'tag aml-jupyterhub-setup-script',
      'COMPUTE_STARTUP_SCRIPT',
      'COMPUTE_ENABLE_SSO',
      'tag aml-jupyterhub-custom-services',
    ]);
    expect(problems[0]?.message).toContain('is not a subnet resource id');
    expect(problems[1]?.message).toContain("'no' is not 'true' or 'false'");
    expect(problems[2]?.message).toContain("no '..'");
    expect(problems[5]?.message).toContain('endpoints.0.target');
  });

  it.each([
    ['not JSON', 'rstudio', 'is not JSON'],
    ['not a list', '{"name":"rstudio"}', 'not a valid customServices list'],
    ['an empty list', '[]', 'not a valid customServices list'],
    ['a service without a name', '[{"image":{"type":"docker","reference":"r"}}]', 'name'],
    ['an unknown image type', '[{"name":"r","image":{"type":"podman"}}]', 'image.type'],
    ['the same name twice', '[{"name":"rstudio"},{"name":"RStudio"}]', "'rstudio' twice"],
  ])('refuses custom services that are %s', (_case, value, message) => {
    const result = resolveComputeSettings({}, { customServices: value });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problems[0]?.message).toContain(message);
  });
});

describe('subnet ids and regions', () => {
  it('reads the parts of a subnet resource id, in any case', () => {
    expect(parseSubnetId(SUBNET)).toEqual({
      subscriptionId: '00000000-0000-0000-0000-00000000a4b1', resourceGroup: 'shared-networking', virtualNetwork: 'hub-vnet', subnet: 'compute',
    });
    expect(parseSubnetId(SUBNET.toLowerCase())).not.toBeNull();
  });

  it.each([
    ['a virtual network, not a subnet', SUBNET.replace('/subnets/compute', '')],
    ['a subscription that is not a GUID', SUBNET.replace('00000000-0000-0000-0000-00000000a4b1', 'my-sub')],
    ['another provider', SUBNET.replace('Microsoft.Network', 'Microsoft.Compute')],
    ['a trailing slash', `${SUBNET}/`],
    ['a bare name', 'compute'],
  ])('refuses %s', (_case, value) => {
    expect(parseSubnetId(value)).toBeNull();
  });

  it("requires the subnet to exist and to be in the workspace's region", () => {
    expect(subnetProblem('COMPUTE_SUBNET_ID', SUBNET, { location: 'West Europe' }, 'westeurope')).toBeNull();
    expect(subnetProblem('COMPUTE_SUBNET_ID', SUBNET, null, 'westeurope')?.message).toContain('does not exist');
    const foreign = subnetProblem('tag aml-jupyterhub-subnet', OTHER_SUBNET, { location: 'northeurope' }, 'westeurope');
    expect(foreign).toEqual({ name: 'tag aml-jupyterhub-subnet', message: expect.stringContaining('is in region northeurope, but the project\'s workspace is in westeurope') });
  });
});

describe('the COMPUTE_* settings', () => {
  const base = { AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-00000000a4b1', STATE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', HUB_API_KEY: 'k' };

  it('are the defaults as written', () => {
    const settings = loadSettings({ ...base, COMPUTE_SUBNET_ID: SUBNET, COMPUTE_NODE_PUBLIC_IP: 'false', COMPUTE_CUSTOM_SERVICES: JSON.stringify(RSTUDIO) });
    expect(settings.computeDefaults).toMatchObject({ subnetId: SUBNET, enableNodePublicIp: 'false', customServices: JSON.stringify(RSTUDIO) });
  });

  it('are checked at start-up, by name', () => {
    let caught: unknown;
    try {
      loadSettings({ ...base, COMPUTE_SUBNET_ID: 'compute', COMPUTE_ENABLE_SSO: 'maybe', COMPUTE_SETUP_SCRIPT: 'C:\\setup.sh' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SettingsError);
    const problems = (caught as SettingsError).problems.join('\n');
    expect(problems).toMatch(/^COMPUTE_SUBNET_ID: 'compute' is not a subnet resource id/m);
    expect(problems).toMatch(/^COMPUTE_ENABLE_SSO: 'maybe' is not 'true' or 'false'/m);
    expect(problems).toMatch(/^COMPUTE_SETUP_SCRIPT: /m);
  });
});

describe('the create body', () => {
  const request = (compute?: ComputeSettings): CreateComputeRequest => ({
    project: 'climate-lab', name: 'ci-0123456789abcdef01234', vmSize: 'Standard_DS3_v2', location: 'westeurope',
    userObjectId: 'a11ce000-0000-4000-8000-000000000001', tenantId: '00000000-0000-0000-0000-0000000a4b10', tags: {}, idleTimeBeforeShutdown: 'PT30M',
    ...(compute ? { compute } : {}),
  });
  const all: ComputeSettings = {
    subnetId: SUBNET, enableNodePublicIp: false, creationScript: 'Users/admin/setup.sh', startupScript: 'Users/admin/startup.sh',
    enableSso: false, customServices: RSTUDIO as ComputeSettings['customServices'],
  };

  it('sends nothing of the settings when there are none', () => {
    const inner = (toArmComputeInstance(request(), 'Personal').properties as unknown as { properties: Record<string, unknown> }).properties;
    expect(Object.keys(inner).sort()).toEqual(['applicationSharingPolicy', 'computeInstanceAuthorizationType', 'personalComputeInstanceSettings', 'sshSettings', 'vmSize']);
    // Only the size's idle shutdown, which every instance gets.
    expect(unmodelledComputeProperties(request())).toEqual({ idleTimeBeforeShutdown: 'PT30M' });
    expect(computePropertiesHeader({})).toEqual({});
  });

  it("puts subnet, public IP and scripts where ComputeInstanceProperties has them, and SSO and custom services through the policy", () => {
    const inner = (toArmComputeInstance(request(all), 'Personal').properties as unknown as { properties: Record<string, unknown> }).properties;
    expect(inner).toMatchObject({
      subnet: { id: SUBNET },
      enableNodePublicIp: false,
      setupScripts: {
        scripts: {
          creationScript: { scriptSource: 'workspaceStorage', scriptData: 'Users/admin/setup.sh' },
          startupScript: { scriptSource: 'workspaceStorage', scriptData: 'Users/admin/startup.sh' },
        },
      },
    });
    const extra = unmodelledComputeProperties(request(all));
    expect(extra).toEqual({ idleTimeBeforeShutdown: 'PT30M', enableSSO: false, customServices: RSTUDIO });
    const header = computePropertiesHeader(extra)[COMPUTE_PROPERTIES_HEADER] ?? '';
    expect(JSON.parse(Buffer.from(header, 'base64url').toString('utf8'))).toEqual(extra);
    const body = JSON.stringify({ properties: { computeType: 'ComputeInstance', properties: { vmSize: 'Standard_DS3_v2' } } });
    expect(JSON.parse(withComputeProperties(body, extra))).toEqual({
      properties: {
        computeType: 'ComputeInstance',
        properties: { vmSize: 'Standard_DS3_v2', idleTimeBeforeShutdown: 'PT30M', enableSSO: false, customServices: RSTUDIO },
      },
    });
  });

  it("reads Azure's refusal of a subnet or script as the project's settings, not a retry", () => {
    expect(classifyArmError({ status: 400, code: 'InvalidSubnet', message: "Subnet '/subscriptions/…' was not found" })).toBe('compute-settings-invalid');
    expect(classifyArmError({ status: 400, code: 'BadRequest', message: "The creation script 'Users/x.sh' was not found in the file share" })).toBe('compute-settings-invalid');
    expect(classifyArmError({ status: 500, code: 'InternalServerError', message: 'subnet service down' })).toBe('azure-error');
  });
});
