/** A Running instance without any Jupyter application fails the run clearly instead of waiting forever. */
import { advanceProvisioning } from '../../shared/use-cases/advance-provisioning';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { buildServer } from '../support/server-builder';
import { testDependencies, VirtualClock } from '../support/test-dependencies';

async function runningInstance(options: { withoutJupyter: boolean }) {
  const clock = new VirtualClock();
  const aml = new ScriptedAmlGateway(options);
  aml.setTime(clock.now());
  const servers = new InMemoryServerRepository();
  const server = buildServer({ state: 'Starting' });
  await servers.create(server);
  aml.seed(server.project, server.id, server.vmSize, 'Running');
  const deps = testDependencies({ servers, aml, clock });
  const step = await advanceProvisioning(deps, server.id);
  return { step, stored: (await servers.get(server.id))?.server };
}

describe('advanceProvisioning on a Running instance', () => {
  it('records the JupyterLab url and Running when the instance lists Jupyter', async () => {
    const { step, stored } = await runningInstance({ withoutJupyter: false });
    expect(step).toEqual({ outcome: 'running', state: 'Running' });
    expect(stored).toMatchObject({ state: 'Running', url: `https://${stored?.id}.westeurope.instances.azureml.ms/lab` });
  });

  it('fails with no-jupyter-endpoint, saying so, when the instance lists no Jupyter application', async () => {
    const { step, stored } = await runningInstance({ withoutJupyter: true });
    expect(step).toEqual({ outcome: 'failed', state: 'Failed' });
    expect(stored).toMatchObject({ state: 'Failed', amlState: 'Running', url: null, error: { code: 'no-jupyter-endpoint' } });
    expect(stored?.error?.message).toMatch(/running but lists no Jupyter application/);
    expect(stored?.progress.at(-1)?.message).toMatch(/^Failed: .*no Jupyter application/);
  });
});
