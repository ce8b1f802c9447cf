#!/usr/bin/env bash
# Gives the control plane's managed identity access to projects, with least privilege:
#   1. once per subscription: deploy/access-roles.json (the two custom roles, and the
#      subscription-level region reads Azure ML serves only there);
#   2. per project: deploy/project-access.json into the project's resource group.
# Both are idempotent; run it again with more projects at any time. Needs rights to create custom
# roles and role assignments (Owner or User Access Administrator) on the projects' subscription.
#
# Usage: deploy/grant-project-access.sh --resource-group <control plane group> [--deployment-name <name>]
#                                       [--principal-id <id>] [--subscription <projects subscription>]
#                                       <project> [<project> ...]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"

usage() {
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

group=""
deployment="aml-jupyterhub"
principal=""
subscription=""
projects=()
while [ $# -gt 0 ]; do
  case "$1" in
    -g|--resource-group) group="${2:-}"; shift 2 ;;
    -n|--deployment-name) deployment="${2:-}"; shift 2 ;;
    --principal-id) principal="${2:-}"; shift 2 ;;
    --subscription) subscription="${2:-}"; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "Unknown option: $1" >&2; usage ;;
    *) projects+=("$1"); shift ;;
  esac
done
[ -n "$group" ] || { echo "--resource-group is required" >&2; usage; }
[ ${#projects[@]} -gt 0 ] || { echo "Name at least one project (resource group)" >&2; usage; }

if [ -z "$principal" ]; then
  principal="$(az deployment group show --resource-group "$group" --name "$deployment" \
    --query properties.outputs.identityPrincipalId.value --output tsv)"
fi
# A subscription deployment keeps its metadata in a region: use the control plane's.
location="$(az group show --name "$group" --query location --output tsv)"
target=()
[ -z "$subscription" ] || target=(--subscription "$subscription")

echo "Custom roles and region reads for identity $principal"
az deployment sub create ${target[@]+"${target[@]}"} \
  --name aml-jupyterhub-access \
  --location "$location" \
  --template-file "$here/access-roles.json" \
  --parameters principalId="$principal" \
  --output none

for project in "${projects[@]}"; do
  az deployment group create ${target[@]+"${target[@]}"} \
    --resource-group "$project" \
    --name aml-jupyterhub-project-access \
    --template-file "$here/project-access.json" \
    --parameters principalId="$principal" \
    --output none
  echo "Granted project $project"
done
