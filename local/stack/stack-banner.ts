/** The one start-up banner of `npm start`. */
export interface BannerFacts {
  controlPlane: string;
  emulatorUrl: string | null;
  /** The emulator's lab pages (plain http), or null on real Azure. */
  labUrl: string | null;
  /** Whether a real JupyterLab is behind each instance (--jupyter). */
  jupyter: boolean;
  functionsKey: string;
  dataDir: string;
  subscriptionId: string;
  /** The local token issuer's URL, and the command that mints its tokens. */
  tokenIssuer: string;
  mintCommand: string;
}

export function stackBanner(facts: BannerFacts): string {
  const labs = facts.jupyter ? 'a real JupyterLab per running instance' : 'stand-in pages; npm start -- --jupyter for a real JupyterLab';
  const azure = facts.emulatorUrl
    ? `ARM emulator    ${facts.emulatorUrl}   (projects climate-lab, ocean-lab; stats at /_emulator/stats)\n` +
      `  Lab pages       ${facts.labUrl ?? ''}/instances/<name>/lab   (plain http on loopback: ${labs})`
    : `Azure           subscription ${facts.subscriptionId} (real Azure, DefaultAzureCredential)`;
  return `
aml-jupyterhub control plane is running
  Control plane   ${facts.controlPlane}/api   (key: x-functions-key: ${facts.functionsKey})
  ${azure}
  Token issuer    ${facts.tokenIssuer}   (Entra ID stand-in; the app takes its tokens or the key)
  Storage         Azurite on 127.0.0.1:10000-10002
  Data            ${facts.dataDir}   (npm start -- --reset starts afresh)

Try it:
  curl -s -X POST ${facts.controlPlane}/api/servers -H 'x-functions-key: ${facts.functionsKey}' \\
       -H 'content-type: application/json' \\
       -d '{"user":"alice","project":"climate-lab","size":"Small","userObjectId":"a11ce000-0000-4000-8000-000000000001","tenantId":"00000000-0000-0000-0000-0000000a4b10"}'

Bearer tokens instead of the key (Authorization: Bearer <token>):
  hub:    ${facts.mintCommand} --role Hub
  admin:  ${facts.mintCommand} --role Admin
  a person's own token (reads and stops the servers spawned with that userObjectId):
          ${facts.mintCommand} --oid <their object id>

Point JupyterHub at it (jupyterhub_config.py), or run the complete example
(sign in as alice, bob or carol, password aml-local):
  jupyterhub -f shim/examples/jupyterhub_config_local.py

  import aml_jupyterhub
  c.JupyterHub.spawner_class = "aml"
  c.AMLSpawner.control_plane_url = "${facts.controlPlane}"
  c.AMLSpawner.api_key = "${facts.functionsKey}"
  c.JupyterHub.cleanup_servers = False  # a hub restart must not stop everyone's instance
  c.JupyterHub.template_paths = [aml_jupyterhub.TEMPLATES]  # spawn page survives a hub restart

Ctrl-C stops everything.`;
}
