/** Which of an instance's applications is its JupyterLab (from-arm-compute.ts `jupyterLabUrlOf`). */
import { jupyterLabUrlOf, type InstanceApplication } from '../../shared/adapters/aml/from-arm-compute';

const HOST = 'https://ci-abc.westeurope.instances.azureml.ms';
const VS_CODE = { displayName: 'VS Code', endpointUri: 'vscode://vscode.azureml/connect?workspaceId=1&computeName=ci-abc' };

describe('jupyterLabUrlOf', () => {
  it.each<[string, InstanceApplication[] | undefined, string | null]>([
    ['"Jupyter Lab" as Azure lists it today', [{ displayName: 'Jupyter', endpointUri: `${HOST}/tree` }, { displayName: 'Jupyter Lab', endpointUri: `${HOST}/lab` }, VS_CODE], `${HOST}/lab`],
    ['"Jupyter Lab" listed before "Jupyter"', [{ displayName: 'Jupyter Lab', endpointUri: `${HOST}/lab` }, { displayName: 'Jupyter', endpointUri: `${HOST}/tree` }], `${HOST}/lab`],
    ['"JupyterLab" spelt as one word', [{ displayName: 'Jupyter', endpointUri: `${HOST}/tree` }, { displayName: 'JupyterLab', endpointUri: `${HOST}/lab` }], `${HOST}/lab`],
    ['"jupyter lab" in another case', [{ displayName: 'jupyter lab', endpointUri: `${HOST}/lab` }], `${HOST}/lab`],
    ['only "Jupyter" (the REST example), with /lab appended', [{ displayName: 'Jupyter', endpointUri: 'https://compute123.eastus2.azureml.net/jupyter' }], 'https://compute123.eastus2.azureml.net/jupyter/lab'],
    ['only "Jupyter" on its /tree page: the lab beside it', [{ displayName: 'Jupyter', endpointUri: `${HOST}/tree/` }, VS_CODE], `${HOST}/lab`],
    ['only "Jupyter" at the root', [{ displayName: 'Jupyter', endpointUri: `${HOST}/` }], `${HOST}/lab`],
    ['"Jupyter Lab" without an endpoint: the classic one', [{ displayName: 'Jupyter Lab' }, { displayName: 'Jupyter', endpointUri: `${HOST}/tree` }], `${HOST}/lab`],
    ['no Jupyter application at all', [VS_CODE, { displayName: 'RStudio', endpointUri: `${HOST}/rstudio` }], null],
    ['"Jupyter" whose endpoint is not a url', [{ displayName: 'Jupyter', endpointUri: 'not a url' }], null],
    ['an empty list', [], null],
    ['no list', undefined, null],
  ])('%s', (_case, applications, expected) => {
    expect(jupyterLabUrlOf(applications)).toBe(expected);
  });
});
