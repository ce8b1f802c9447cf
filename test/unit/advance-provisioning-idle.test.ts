import { serverIdFor } from '../../shared/domain/naming';
import type { CreateComputeRequest } from '../../shared/domain/ports';
import type { SizeLabel } from '../../shared/domain/server';
import { newServer } from '../../shared/domain/server-changes';
import { advanceProvisioning } from '../../shared/use-cases/advance-provisioning';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { respawnedServer } from '../support/server-builder';
import { testDependencies, testSettings, VirtualClock } from '../support/test-dependencies';

const NOW = new Date('2026-11-26T09:00:00Z');

/** With `amlState`: a server spawned again, whose instance an earlier run left in that state. */
async function setUp(size: SizeLabel, settings: Record<string, string>, amlState?: string) {
  const servers = new InMemoryServerRepository();
  const aml = new ScriptedAmlGateway();
  aml.setTime(NOW);
  const created: CreateComputeRequest[] = [];
  const createCompute = aml.createCompute.bind(aml);
  aml.createCompute = async (request) => {
    created.push(request);
    return createCompute(request);
  };
  const deps = testDependencies({ servers, aml, clock: new VirtualClock(NOW), settings: testSettings(settings) });
  const id = serverIdFor({ hubId: 'hub', user: 'alice', project: 'climate-lab', vmSize: 'Standard_DS1_v2', serverName: '' });
  const input = { id, hubId: 'hub', user: 'alice', serverName: '', project: 'climate-lab', size, vmSize: 'Standard_DS1_v2', userObjectId: null, tenantId: null } as const;
  await servers.create(amlState ? respawnedServer(input, amlState, NOW.toISOString()) : newServer(input, NOW.toISOString()));
  return { aml, deps, id, created };
}

describe('provisioning sets the instance idle shutdown from its size', () => {
  it.each([
    ['Medium', { IDLE_STOP_MINUTES_MEDIUM: '60' }, 'PT60M'],
    ['GPU', { IDLE_STOP_MINUTES_GPU: '30' }, 'PT30M'],
    ['Small', { IDLE_STOP_MINUTES_SMALL: '0.5' }, 'PT15M'], // raised to Azure's floor
    ['Small', { IDLE_STOP_MINUTES_SMALL: '0.5', IDLE_SHUTDOWN_FLOOR_MINUTES: '0' }, 'PT30S'],
  ] as const)('a %s server with %j is created with %s', async (size, settings, expected) => {
    const { deps, id, created } = await setUp(size, settings);
    await advanceProvisioning(deps, id);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ name: id, idleTimeBeforeShutdown: expected, tags: { 'aml-jupyterhub-hub': 'hub' } });
  });

  it('applies a changed setting to a stopped instance before starting it', async () => {
    const { aml, deps, id } = await setUp('Medium', { IDLE_STOP_MINUTES_MEDIUM: '45' }, 'Stopped');
    aml.seed('climate-lab', id, 'Standard_DS1_v2', 'Stopped', { idleTimeBeforeShutdown: 'PT120M' });
    await advanceProvisioning(deps, id);
    expect(aml.calls).toEqual([`get ${id}`, `updateIdleShutdown ${id} PT45M`, `start ${id}`]);
  });

  it('starts a stopped instance that already has the setting without changing it (PT1H is PT60M)', async () => {
    const { aml, deps, id } = await setUp('Medium', { IDLE_STOP_MINUTES_MEDIUM: '60' }, 'Stopped');
    aml.seed('climate-lab', id, 'Standard_DS1_v2', 'Stopped', { idleTimeBeforeShutdown: 'PT1H' });
    await advanceProvisioning(deps, id);
    expect(aml.calls).toEqual([`get ${id}`, `start ${id}`]);
  });
});
