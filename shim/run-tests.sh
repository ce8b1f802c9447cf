#!/usr/bin/env bash
# The shim's tests: creates the virtual environment if missing (shim/.venv, or
# $SHIM_VENV), installs ./shim[test] into it (editable, so the tests see the working
# copy) and configurable-http-proxy into shim/tests/node_modules, then runs pytest.
# Arguments go to pytest.
#
#   shim/run-tests.sh                         # everything (hub tests against the fake
#                                             # control plane, and the local stack if present)
#   AML_TEST_BACKENDS=fake shim/run-tests.sh  # never touch the local stack
#   JUPYTERHUB_SPEC='jupyterhub==5.*' SHIM_VENV=.venv-jh5 shim/run-tests.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
venv="${SHIM_VENV:-.venv}"
python="${PYTHON:-$(command -v python3.11 || command -v python3)}"

if [ ! -x "$venv/bin/python" ]; then
  echo "shim: creating $venv with $python"
  "$python" -m venv "$venv"
fi

# reinstall when the package's metadata changed (or the requested JupyterHub did)
stamp="$venv/.aml-jupyterhub-installed"
want="$(cat pyproject.toml; echo "${JUPYTERHUB_SPEC:-}")"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "shim: installing ./shim[test] ${JUPYTERHUB_SPEC:-}"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -e ".[test]" ${JUPYTERHUB_SPEC:+"$JUPYTERHUB_SPEC"}
  printf '%s' "$want" > "$stamp"
fi

if [ ! -x tests/node_modules/.bin/configurable-http-proxy ]; then
  echo "shim: installing configurable-http-proxy for the hub tests"
  npm ci --prefix tests --no-audit --no-fund --loglevel=error
fi

"$venv/bin/python" -c 'import jupyterhub, sys; print(f"shim: JupyterHub {jupyterhub.__version__}, Python {sys.version.split()[0]}")'
exec "$venv/bin/python" -m pytest "$@"
