import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import {
  COMPUTE_PROPERTIES_HEADER,
  computePropertiesHeader,
  computePropertiesPolicy,
  withComputeProperties,
} from '../../shared/adapters/aml/compute-properties-policy';

const COMPUTE_URL =
  'https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/computes/ci-abc?api-version=2025-12-01';
const instanceBody = JSON.stringify({ location: 'westeurope', properties: { computeType: 'ComputeInstance', properties: { vmSize: 'Standard_DS1_v2' } } });

describe('withComputeProperties', () => {
  it('adds the properties to a compute instance body', () => {
    expect(JSON.parse(withComputeProperties(instanceBody, { idleTimeBeforeShutdown: 'PT90M', enableSSO: false }))).toEqual({
      location: 'westeurope',
      properties: { computeType: 'ComputeInstance', properties: { vmSize: 'Standard_DS1_v2', idleTimeBeforeShutdown: 'PT90M', enableSSO: false } },
    });
  });

  it('keeps a property the body already has', () => {
    const body = JSON.stringify({ properties: { computeType: 'ComputeInstance', properties: { idleTimeBeforeShutdown: 'PT3H' } } });
    expect(JSON.parse(withComputeProperties(body, { idleTimeBeforeShutdown: 'PT90M', enableSSO: true })).properties.properties).toEqual({
      idleTimeBeforeShutdown: 'PT3H',
      enableSSO: true,
    });
  });

  it.each([
    ['another compute type', JSON.stringify({ properties: { computeType: 'AmlCompute', properties: { vmSize: 'x' } } })],
    ['an instance body without inner properties', JSON.stringify({ properties: { computeType: 'ComputeInstance' } })],
    ['text that is not JSON', 'not json'],
  ])('leaves %s alone', (_name, body) => {
    expect(withComputeProperties(body, { idleTimeBeforeShutdown: 'PT90M' })).toBe(body);
  });
});

describe('computePropertiesPolicy', () => {
  /** What reaches the next policy: the body and whether the request-scoped header is still on it. */
  const sent = async (method: 'PUT' | 'POST', url: string, body: string, properties: Record<string, unknown> | null, raw?: string) => {
    const headers = raw !== undefined ? { [COMPUTE_PROPERTIES_HEADER]: raw } : properties === null ? {} : computePropertiesHeader(properties);
    const request = createPipelineRequest({ url, method, body, headers: createHttpHeaders(headers) });
    let seen: { body: unknown; header: boolean } = { body: undefined, header: false };
    await computePropertiesPolicy().sendRequest(request, async (outgoing) => {
      seen = { body: outgoing.body, header: outgoing.headers.has(COMPUTE_PROPERTIES_HEADER) };
      return {} as PipelineResponse;
    });
    return seen;
  };

  it('puts what a create asked for into the PUT of that compute, and never sends the header', async () => {
    const first = await sent('PUT', COMPUTE_URL, instanceBody, { idleTimeBeforeShutdown: 'PT45M' });
    expect(JSON.parse(String(first.body)).properties.properties.idleTimeBeforeShutdown).toBe('PT45M');
    expect(first.header).toBe(false);
    // Per request: the next create carries its own values.
    const second = await sent('PUT', COMPUTE_URL, instanceBody, { idleTimeBeforeShutdown: 'PT30S', enableSSO: false });
    expect(JSON.parse(String(second.body)).properties.properties).toMatchObject({ idleTimeBeforeShutdown: 'PT30S', enableSSO: false });
  });

  it('leaves a PUT without the header alone', async () => {
    expect(await sent('PUT', COMPUTE_URL, instanceBody, null)).toEqual({ body: instanceBody, header: false });
  });

  it('leaves other requests alone, and still drops the header from them', async () => {
    expect(await sent('POST', COMPUTE_URL.replace('?', '/start?'), instanceBody, { idleTimeBeforeShutdown: 'PT45M' })).toEqual({ body: instanceBody, header: false });
    expect(await sent('PUT', COMPUTE_URL.replace('/computes/ci-abc', ''), instanceBody, { idleTimeBeforeShutdown: 'PT45M' })).toEqual({
      body: instanceBody,
      header: false,
    });
  });

  it('drops a header that is not base64url JSON of an object, and sends the body as it was', async () => {
    expect(await sent('PUT', COMPUTE_URL, instanceBody, null, 'not-json')).toEqual({ body: instanceBody, header: false });
    expect(await sent('PUT', COMPUTE_URL, instanceBody, null, Buffer.from('[1]').toString('base64url'))).toEqual({ body: instanceBody, header: false });
  });
});
