"""The user's choice of project, size and where to land (`app`): reading it from the
form or the REST body, and completing it from what the control plane offers. Pure
functions, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from .errors import UserOptionsError

PROJECT = "project"
SIZE = "size"
#: Where the person lands once the server runs: an app id of the project's `apps` in
#: `GET /api/options` (jupyterlab, jupyter, vscode, or a custom service). Left out, the
#: control plane lands them in JupyterLab.
APP = "app"
KNOWN_KEYS = (PROJECT, SIZE, APP)

NO_PROJECT_MESSAGE = (
    "You do not have access to any project yet. Ask your JupyterHub administrator to "
    "give you access to an Azure Machine Learning workspace."
)


@dataclass(frozen=True)
class SpawnChoice:
    project: str | None = None
    size: str | None = None
    app: str | None = None

    def as_user_options(self) -> dict[str, str]:
        return {
            k: v for k, v in ((PROJECT, self.project), (SIZE, self.size), (APP, self.app)) if v
        }


def options_from_form(formdata: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """`Spawner.options_from_form`: the submitted form as `user_options`.

    Same keys a REST spawn sends (`{"project": …, "size": …, "app": …}`); empty fields
    are left out.
    """
    options: dict[str, str] = {}
    for key in KNOWN_KEYS:
        values = formdata.get(key)
        value = (values[0] if values else None) if isinstance(values, (list, tuple)) else values
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str) and value.strip():
            options[key] = value.strip()
    return options


def unwrap(options: Any) -> Any:
    """JupyterHub 6's REST body `{"user_options": {…}}` reaches a JupyterHub 5 hub as
    the options themselves (5 takes the whole body): read the inner object then."""
    if isinstance(options, Mapping) and set(options) == {"user_options"}:
        inner = options["user_options"]
        if isinstance(inner, Mapping) or inner is None:
            return inner or {}
    return options


def parse_user_options(options: Mapping[str, Any] | None) -> SpawnChoice:
    """Read `user_options` (from the form or a REST body). Checks only their shape:
    whether a project or size is allowed is the control plane's decision."""
    options = unwrap(options) or {}
    if not isinstance(options, Mapping):
        raise UserOptionsError("Server options must be a JSON object such as {\"project\": \"climate-lab\", \"size\": \"Small\"}.")
    values: dict[str, str | None] = {}
    for key in KNOWN_KEYS:
        value = options.get(key)
        if value is None or value == "":
            values[key] = None
        elif isinstance(value, str):
            values[key] = value.strip() or None
        else:
            raise UserOptionsError(f"The server option {key!r} must be a string, not {type(value).__name__}.")
    return SpawnChoice(project=values[PROJECT], size=values[SIZE], app=values[APP])


def unknown_keys(options: Mapping[str, Any] | None) -> list[str]:
    return sorted(k for k in (unwrap(options) or {}) if k not in KNOWN_KEYS)


def complete_choice(
    choice: SpawnChoice, offered: Mapping[str, Any], default_size: str = ""
) -> SpawnChoice:
    """Fill what the user left out from `GET /api/options`: the only project if there
    is exactly one, the configured default size or else the first size offered."""
    projects = [p.get("name") for p in offered.get("projects") or [] if p.get("name")]
    sizes = [s.get("label") for s in offered.get("sizes") or [] if s.get("label")]
    project = choice.project
    if not project:
        if not projects:
            raise UserOptionsError(str(offered.get("message") or NO_PROJECT_MESSAGE))
        if len(projects) > 1:
            raise UserOptionsError(
                "Choose a project for your server: one of " + ", ".join(projects) + "."
            )
        project = projects[0]
    size = choice.size or default_size or (sizes[0] if sizes else None)
    if not size:
        raise UserOptionsError("Choose a size for your server.")
    return SpawnChoice(project=project, size=size, app=choice.app)
