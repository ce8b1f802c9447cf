#!/usr/bin/env bash
# Deploys the aml-jupyterhub control plane into one resource group, then its code:
#   1. creates the resource group when --location is given (otherwise it must exist);
#   2. deploys azuredeploy.json (idempotent: running it again upgrades in place), with a newly
#      generated hub API key when the Key Vault holds none yet, and Key Vault Secrets Officer
#      for the signed-in user so they can read the key for the hub;
#   3. builds the package with `npm run package`, unless --package names a zip built before;
#   4. uploads the zip to the Function App (Flex Consumption one-deploy, authenticated with Entra ID).
# The Azure CLI must be signed in to the subscription the control plane goes to (az login; az account set).
#
# Usage: deploy/deploy.sh --resource-group <name> [--location <region>] [--deployment-name <name>]
#                         [--package <zip>] [-p <parameter>=<value> ...]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"

usage() {
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

group=""
location=""
deployment="aml-jupyterhub"
package=""
parameters=()
while [ $# -gt 0 ]; do
  case "$1" in
    -g|--resource-group) group="${2:-}"; shift 2 ;;
    -l|--location) location="${2:-}"; shift 2 ;;
    -n|--deployment-name) deployment="${2:-}"; shift 2 ;;
    --package) package="${2:-}"; shift 2 ;;
    -p|--parameter) parameters+=("${2:-}"); shift 2 ;;
    -h|--help) usage ;;
    *) echo "Unknown argument: $1" >&2; usage ;;
  esac
done
[ -n "$group" ] || { echo "--resource-group is required" >&2; usage; }
if [ -n "$package" ] && [ ! -f "$package" ]; then
  echo "--package $package: no such file" >&2
  exit 2
fi

# Reads one output value from the deployment outputs JSON on stdin (node is needed for npm anyway).
output() {
  node -e 'const outputs = JSON.parse(require("fs").readFileSync(0, "utf8")); process.stdout.write(String(outputs[process.argv[1]].value));' "$1"
}

if [ -n "$location" ]; then
  echo "Resource group $group in $location"
  az group create --name "$group" --location "$location" --output none
fi

# The hub API key lives only in the Key Vault. A previous deployment names the vault; when it
# holds the key already, the template is deployed without one and keeps it.
generated=()
vault="$(az deployment group show --resource-group "$group" --name "$deployment" \
  --query properties.outputs.keyVaultName.value --output tsv 2>/dev/null || true)"
if [ -z "$vault" ] || ! az resource show --resource-group "$group" --namespace Microsoft.KeyVault \
    --parent "vaults/$vault" --resource-type secrets --name hub-api-key --output none 2>/dev/null; then
  echo "Generating a hub API key (stored in Key Vault only)"
  keyfile="$(umask 077 && mktemp)"
  trap 'rm -f "$keyfile"' EXIT
  # A parameters file, so the key never appears on a command line.
  node -e 'const key = require("crypto").randomBytes(32).toString("base64url");
    process.stdout.write(JSON.stringify({ $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
      contentVersion: "1.0.0.0", parameters: { hubApiKey: { value: key } } }));' >"$keyfile"
  generated=("@$keyfile")
fi
admin="$(az ad signed-in-user show --query id --output tsv 2>/dev/null || true)"
[ -z "$admin" ] || generated+=("keyVaultAdminPrincipalId=$admin")

echo "Deploying azuredeploy.json to $group (deployment $deployment)"
outputs="$(az deployment group create \
  --resource-group "$group" \
  --name "$deployment" \
  --template-file "$root/azuredeploy.json" \
  ${generated[@]+--parameters "${generated[@]}"} \
  ${parameters[@]+--parameters "${parameters[@]}"} \
  --query properties.outputs \
  --output json)"
app="$(output functionAppName <<<"$outputs")"

if [ -z "$package" ]; then
  echo "Building the package"
  (cd "$root" && npm run package)
  package="$root/dist/package/aml-jupyterhub.zip"
fi

echo "Uploading $package to $app"
az functionapp deployment source config-zip --resource-group "$group" --name "$app" --src "$package" --output none

cat <<DONE

Control plane deployed.
  Function App:           $app
  Control plane URL:      $(output controlPlaneUrl <<<"$outputs")   (c.AMLSpawner.control_plane_url)
  API base URL:           $(output apiBaseUrl <<<"$outputs")
  Identity principal id:  $(output identityPrincipalId <<<"$outputs")
  Identity client id:     $(output identityClientId <<<"$outputs")
  Hub API key:            az keyvault secret show --vault-name $(output keyVaultName <<<"$outputs") --name hub-api-key --query value -o tsv

Next: give it projects with
  deploy/grant-project-access.sh --resource-group $group <project resource group> ...
DONE
