import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { IDLE_SHUTDOWN_HEADER, idleShutdownHeader, idleShutdownPolicy, withIdleTimeBeforeShutdown } from '../../shared/adapters/aml/idle-shutdown-policy';

const COMPUTE_URL =
  'https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/computes/ci-abc?api-version=2025-12-01';
const instanceBody = JSON.stringify({ location: 'westeurope', properties: { computeType: 'ComputeInstance', properties: { vmSize: 'Standard_DS1_v2' } } });

describe('withIdleTimeBeforeShutdown', () => {
  it('adds the setting to a compute instance body', () => {
    expect(JSON.parse(withIdleTimeBeforeShutdown(instanceBody, 'PT90M'))).toEqual({
      location: 'westeurope',
      properties: { computeType: 'ComputeInstance', properties: { vmSize: 'Standard_DS1_v2', idleTimeBeforeShutdown: 'PT90M' } },
    });
  });

  it.each([
    ['another compute type', JSON.stringify({ properties: { computeType: 'AmlCompute', properties: { vmSize: 'x' } } })],
    ['an instance that already has one', JSON.stringify({ properties: { computeType: 'ComputeInstance', properties: { idleTimeBeforeShutdown: 'PT3H' } } })],
    ['an instance body without inner properties', JSON.stringify({ properties: { computeType: 'ComputeInstance' } })],
    ['text that is not JSON', 'not json'],
  ])('leaves %s alone', (_name, body) => {
    expect(withIdleTimeBeforeShutdown(body, 'PT90M')).toBe(body);
  });
});

describe('idleShutdownPolicy', () => {
  /** What reaches the next policy: the body and whether the request-scoped header is still on it. */
  const sent = async (method: 'PUT' | 'POST', url: string, body: string, idleTime: string | null) => {
    const request = createPipelineRequest({ url, method, body, headers: createHttpHeaders(idleTime === null ? {} : idleShutdownHeader(idleTime)) });
    let seen: { body: unknown; header: boolean } = { body: undefined, header: false };
    await idleShutdownPolicy().sendRequest(request, async (outgoing) => {
      seen = { body: outgoing.body, header: outgoing.headers.has(IDLE_SHUTDOWN_HEADER) };
      return {} as PipelineResponse;
    });
    return seen;
  };

  it('puts the value a create asked for into the PUT of that compute, and never sends the header', async () => {
    const first = await sent('PUT', COMPUTE_URL, instanceBody, 'PT45M');
    expect(JSON.parse(String(first.body)).properties.properties.idleTimeBeforeShutdown).toBe('PT45M');
    expect(first.header).toBe(false);
    // Per request: the next create carries its own value.
    const second = await sent('PUT', COMPUTE_URL, instanceBody, 'PT30S');
    expect(JSON.parse(String(second.body)).properties.properties.idleTimeBeforeShutdown).toBe('PT30S');
  });

  it('leaves a PUT without the header alone', async () => {
    expect(await sent('PUT', COMPUTE_URL, instanceBody, null)).toEqual({ body: instanceBody, header: false });
  });

  it('leaves other requests alone, and still drops the header from them', async () => {
    expect(await sent('POST', COMPUTE_URL.replace('?', '/start?'), instanceBody, 'PT45M')).toEqual({ body: instanceBody, header: false });
    expect(await sent('PUT', COMPUTE_URL.replace('/computes/ci-abc', ''), instanceBody, 'PT45M')).toEqual({ body: instanceBody, header: false });
  });
});
