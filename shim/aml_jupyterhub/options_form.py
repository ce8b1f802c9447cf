"""The HTML of the spawn options form (pure: data in, markup out).

JupyterHub wraps it in its own `<form>` with the Start button; field names are the
`user_options` keys, so a form spawn and a REST spawn send the same thing.
"""

from __future__ import annotations

from html import escape
from typing import Any, Mapping

from .user_options import NO_PROJECT_MESSAGE, PROJECT, SIZE


def render_options_form(
    offered: Mapping[str, Any] | None,
    previous: Mapping[str, Any] | None = None,
    *,
    default_size: str = "",
    error: str | None = None,
) -> str:
    """Project and size pickers, the last choice (`previous`) preselected.

    `offered` is the answer of `GET /api/options`; `error` replaces the form with a
    message when that answer could not be had.
    """
    if error:
        return _alert(
            "danger",
            "Your projects could not be loaded: " + error,
            "Try again in a moment; if this persists, tell your JupyterHub administrator.",
        )
    offered = offered or {}
    previous = previous or {}
    projects = [p for p in offered.get("projects") or [] if p.get("name")]
    sizes = [s for s in offered.get("sizes") or [] if s.get("label")]
    if not projects:
        # The control plane says why when it knows (e.g. no Azure role on any project).
        return _alert("warning", str(offered.get("message") or NO_PROJECT_MESSAGE))

    project_names = [str(p["name"]) for p in projects]
    size_labels = [str(s["label"]) for s in sizes]
    chosen_project = _pick(previous.get(PROJECT), project_names)
    chosen_size = _pick(previous.get(SIZE), size_labels, default_size)

    project_options = "".join(
        _option(str(p["name"]), _project_text(p), str(p["name"]) == chosen_project)
        for p in projects
    )
    size_options = "".join(
        _option(str(s["label"]), _size_text(s), str(s["label"]) == chosen_size)
        for s in sizes
    )
    return (
        '<div class="aml-options">'
        '<div class="mb-3">'
        '<label for="aml-project" class="form-label">Project</label>'
        f'<select id="aml-project" name="{PROJECT}" class="form-select" required>{project_options}</select>'
        "</div>"
        '<div class="mb-3">'
        '<label for="aml-size" class="form-label">Size</label>'
        f'<select id="aml-size" name="{SIZE}" class="form-select" required>{size_options}</select>'
        "</div>"
        '<p class="form-text">Your server is an Azure Machine Learning compute instance. '
        "Creating one takes a few minutes; starting a stopped one is quicker.</p>"
        "</div>"
    )


def _pick(wanted: Any, available: list[str], fallback: str = "") -> str | None:
    for candidate in (wanted, fallback):
        if isinstance(candidate, str) and candidate in available:
            return candidate
    return available[0] if available else None


def _project_text(project: Mapping[str, Any]) -> str:
    location = project.get("location")
    return f"{project['name']} ({location})" if location else str(project["name"])


def _size_text(size: Mapping[str, Any]) -> str:
    text = str(size["label"])
    if size.get("vmSize"):
        text += f" — {size['vmSize']}"
    if size.get("gpu") and "gpu" not in text.lower():
        text += " (GPU)"
    return text


def _option(value: str, text: str, selected: bool) -> str:
    mark = " selected" if selected else ""
    return f'<option value="{escape(value)}"{mark}>{escape(text)}</option>'


def _alert(kind: str, message: str, hint: str = "") -> str:
    hint_html = f'<div class="form-text">{escape(hint)}</div>' if hint else ""
    return (
        f'<div class="aml-options alert alert-{kind}" role="alert">'
        f"{escape(message)}{hint_html}</div>"
    )
