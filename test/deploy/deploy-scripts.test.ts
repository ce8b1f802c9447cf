/**
 * deploy/deploy.sh and deploy/grant-project-access.sh against a stand-in `az` on PATH that records
 * each call and answers like the Azure CLI would, so the exact commands an admin's machine would
 * run are checked offline.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './support/arm-schemas';

const PRINCIPAL = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const ADMIN = '12121212-3434-4565-8787-909090909090';
const OUTPUTS = {
  keyVaultName: { type: 'String', value: 'amljhkvabc123' },
  functionAppName: { type: 'String', value: 'amljh-abc123' },
  controlPlaneUrl: { type: 'String', value: 'https://amljh-abc123.azurewebsites.net' },
  apiBaseUrl: { type: 'String', value: 'https://amljh-abc123.azurewebsites.net/api' },
  identityPrincipalId: { type: 'String', value: PRINCIPAL },
  identityClientId: { type: 'String', value: 'ffffffff-0000-4111-8222-333333333333' },
};

/**
 * The stand-in: one line per call, arguments separated by a tab, and the content of each "@file"
 * argument (a parameters file) kept beside the log, since the script deletes it. Canned answers
 * for the reads; AZ_PREVIOUS_VAULT and AZ_SECRET_EXISTS describe an earlier deployment.
 */
const FAKE_AZ = `#!/usr/bin/env bash
printf '%s\\t' "$@" >> "$AZ_LOG"; printf '\\n' >> "$AZ_LOG"
for arg in "$@"; do case "$arg" in @*) cat "\${arg#@}" >> "$AZ_LOG.files"; echo >> "$AZ_LOG.files" ;; esac; done
case "$1 $2 $3" in
  "deployment group show")
    case "$*" in
      *keyVaultName*) [ -n "$AZ_PREVIOUS_VAULT" ] || { echo "DeploymentNotFound" >&2; exit 3; }; echo "$AZ_PREVIOUS_VAULT" ;;
      *) echo "${PRINCIPAL}" ;;
    esac ;;
  "resource show --resource-group") [ "$AZ_SECRET_EXISTS" = 1 ] || { echo "ResourceNotFound" >&2; exit 3; } ;;
  "ad signed-in-user show") echo "${ADMIN}" ;;
  "group show --name") echo "westeurope" ;;
  "deployment group create") case "$*" in *"--query properties.outputs"*) cat "$AZ_OUTPUTS" ;; esac ;;
esac
`;

let dir: string;
let log: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fake-az-'));
  log = join(dir, 'calls.log');
  writeFileSync(join(dir, 'az'), FAKE_AZ);
  chmodSync(join(dir, 'az'), 0o755);
  writeFileSync(join(dir, 'outputs.json'), JSON.stringify(OUTPUTS));
  writeFileSync(log, '');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(script: string, args: string[], env: Record<string, string> = {}) {
  // An admin's shell, not the test runner's: npm test points NODE_EXTRA_CA_CERTS at a relative path.
  const { NODE_EXTRA_CA_CERTS: _testRunnerOnly, ...inherited } = process.env;
  const result = spawnSync('bash', [join(REPO_ROOT, 'deploy', script), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...inherited, PATH: `${dir}:${process.env.PATH ?? ''}`, AZ_LOG: log, AZ_OUTPUTS: join(dir, 'outputs.json'), AZ_PREVIOUS_VAULT: '', AZ_SECRET_EXISTS: '0', ...env },
  });
  const calls = readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/\t$/, '').split('\t'));
  const files = existsSync(`${log}.files`) ? readFileSync(`${log}.files`, 'utf8').split('\n').filter((line) => line !== '') : [];
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls, files };
}

/** The az calls that read or write, without the look-ups of an earlier deployment. */
const changes = (calls: string[][]) => calls.filter((call) => !/^(deployment group show|resource show|ad signed-in-user)/.test(call.slice(0, 3).join(' ')));

describe('deploy/deploy.sh', () => {
  const zip = () => {
    const file = join(dir, 'app.zip');
    writeFileSync(file, 'zip');
    return file;
  };

  it('creates the group, deploys the template with a new hub key and the given parameters, and uploads the package to the app it created', () => {
    const pkg = zip();
    const result = run('deploy.sh', ['--resource-group', 'hub-rg', '--location', 'westeurope', '--package', pkg, '-p', 'baseName=contoso', '-p', 'authMode=key']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const deploy = result.calls.find((call) => call.slice(0, 3).join(' ') === 'deployment group create') ?? [];
    const keyFile = deploy.find((arg) => arg.startsWith('@')) ?? '';
    expect(changes(result.calls)).toEqual([
      ['group', 'create', '--name', 'hub-rg', '--location', 'westeurope', '--output', 'none'],
      ['deployment', 'group', 'create', '--resource-group', 'hub-rg', '--name', 'aml-jupyterhub', '--template-file', join(REPO_ROOT, 'azuredeploy.json'),
        '--parameters', keyFile, `keyVaultAdminPrincipalId=${ADMIN}`, '--parameters', 'baseName=contoso', 'authMode=key', '--query', 'properties.outputs', '--output', 'json'],
      ['functionapp', 'deployment', 'source', 'config-zip', '--resource-group', 'hub-rg', '--name', 'amljh-abc123', '--src', pkg, '--output', 'none'],
    ]);
    expect(result.stdout).toContain('https://amljh-abc123.azurewebsites.net/api');
    expect(result.stdout).toContain(PRINCIPAL);
    expect(result.stdout).toContain('az keyvault secret show --vault-name amljhkvabc123 --name hub-api-key');
  });

  it('passes the generated key in a parameters file that is gone afterwards, never on the command line or the screen', () => {
    const result = run('deploy.sh', ['-g', 'hub-rg', '--package', zip()]);
    expect(result.files).toHaveLength(1);
    const key = (JSON.parse(result.files[0]) as { parameters: { hubApiKey: { value: string } } }).parameters.hubApiKey.value;
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(result.calls)).not.toContain(key);
    expect(result.stdout + result.stderr).not.toContain(key);
    const keyFile = result.calls.flat().find((arg) => arg.startsWith('@')) ?? '@';
    expect(existsSync(keyFile.slice(1))).toBe(false);
  });

  it('keeps the stored key when upgrading a deployment whose vault holds one', () => {
    const result = run('deploy.sh', ['-g', 'hub-rg', '--package', zip()], { AZ_PREVIOUS_VAULT: 'amljhkvabc123', AZ_SECRET_EXISTS: '1' });
    expect(result.status).toBe(0);
    expect(result.calls).toContainEqual(['resource', 'show', '--resource-group', 'hub-rg', '--namespace', 'Microsoft.KeyVault', '--parent', 'vaults/amljhkvabc123', '--resource-type', 'secrets', '--name', 'hub-api-key', '--output', 'none']);
    expect(result.files).toEqual([]);
    expect(changes(result.calls).map((call) => call.slice(0, 3).join(' '))).toEqual(['deployment group create', 'functionapp deployment source']);
  });

  it('generates a key when the vault of an earlier deployment holds none', () => {
    const result = run('deploy.sh', ['-g', 'hub-rg', '--package', zip()], { AZ_PREVIOUS_VAULT: 'amljhkvabc123', AZ_SECRET_EXISTS: '0' });
    expect(result.status).toBe(0);
    expect(result.files).toHaveLength(1);
  });

  it('refuses to run without a resource group, or with a package that does not exist, before calling Azure', () => {
    expect(run('deploy.sh', []).status).toBe(2);
    expect(run('deploy.sh', ['-g', 'hub-rg', '--package', join(dir, 'missing.zip')]).status).toBe(2);
    expect(readFileSync(log, 'utf8')).toBe('');
  });
});

describe('deploy/grant-project-access.sh', () => {
  it("reads the identity from the control plane's deployment, creates the roles once and grants each project", () => {
    const result = run('grant-project-access.sh', ['--resource-group', 'hub-rg', 'climate-lab', 'ocean-lab']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.calls).toEqual([
      ['deployment', 'group', 'show', '--resource-group', 'hub-rg', '--name', 'aml-jupyterhub', '--query', 'properties.outputs.identityPrincipalId.value', '--output', 'tsv'],
      ['group', 'show', '--name', 'hub-rg', '--query', 'location', '--output', 'tsv'],
      ['deployment', 'sub', 'create', '--name', 'aml-jupyterhub-access', '--location', 'westeurope', '--template-file', join(REPO_ROOT, 'deploy', 'access-roles.json'),
        '--parameters', `principalId=${PRINCIPAL}`, '--output', 'none'],
      ['deployment', 'group', 'create', '--resource-group', 'climate-lab', '--name', 'aml-jupyterhub-project-access', '--template-file', join(REPO_ROOT, 'deploy', 'project-access.json'),
        '--parameters', `principalId=${PRINCIPAL}`, '--output', 'none'],
      ['deployment', 'group', 'create', '--resource-group', 'ocean-lab', '--name', 'aml-jupyterhub-project-access', '--template-file', join(REPO_ROOT, 'deploy', 'project-access.json'),
        '--parameters', `principalId=${PRINCIPAL}`, '--output', 'none'],
    ]);
    expect(result.stdout).toContain('Granted project ocean-lab');
  });

  it('targets the projects\' subscription and a given principal when told', () => {
    const other = '99999999-8888-4777-8666-555555555555';
    const result = run('grant-project-access.sh', ['-g', 'hub-rg', '--principal-id', other, '--subscription', 'sub-2', 'climate-lab']);
    expect(result.status).toBe(0);
    expect(result.calls.map((call) => call.slice(0, 3).join(' '))).toEqual(['group show --name', 'deployment sub create', 'deployment group create']);
    for (const call of result.calls.slice(1)) {
      expect(call.slice(3, 5)).toEqual(['--subscription', 'sub-2']);
      expect(call).toContain(`principalId=${other}`);
    }
  });

  it('refuses to run without a project', () => {
    const result = run('grant-project-access.sh', ['-g', 'hub-rg']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Name at least one project');
    expect(result.calls).toEqual([]);
  });
});
