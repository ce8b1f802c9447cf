"""The HTML of the spawn options form (pure: data in, markup out).

JupyterHub wraps it in its own `<form>` with the Start button; field names are the
`user_options` keys, so a form spawn and a REST spawn send the same thing.
"""

from __future__ import annotations

from html import escape
from typing import Any, Mapping

from .messages import LastServerNotice
from .user_options import APP, NO_PROJECT_MESSAGE, PROJECT, SIZE


def render_options_form(
    offered: Mapping[str, Any] | None,
    previous: Mapping[str, Any] | None = None,
    *,
    default_size: str = "",
    error: str | None = None,
    error_is_final: bool = False,
    notice: LastServerNotice | None = None,
) -> str:
    """Project and size pickers, the last choice (`previous`) preselected.

    `offered` is the answer of `GET /api/options`; `error` replaces the form with a
    message when that answer could not be had (`error_is_final`: the message is the
    whole story, e.g. the hub is misconfigured). `notice` says why the person's last
    server is not running; when its start failed, nothing is preselected: the person
    picks again, deliberately, seeing which choice failed.
    """
    if error:
        if error_is_final:
            return _alert("danger", error)
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
    failed = notice is not None and notice.failed
    if failed:
        chosen_project = chosen_size = None
    else:
        chosen_project = _pick(previous.get(PROJECT), project_names)
        chosen_size = _pick(previous.get(SIZE), size_labels, default_size)
    failed_project = notice.project if failed else None
    failed_size = notice.size if failed else None

    project_options = "".join(
        _option(
            str(p["name"]),
            _project_text(p) + (LAST_FAILED if p["name"] == failed_project else ""),
            str(p["name"]) == chosen_project,
        )
        for p in projects
    )
    size_options = "".join(
        _option(
            str(s["label"]),
            _size_text(s) + (LAST_FAILED if s["label"] == failed_size else ""),
            str(s["label"]) == chosen_size,
            _size_description(s),
        )
        for s in sizes
    )
    descriptions = {str(s["label"]): _size_description(s) for s in sizes}
    size_help = ""
    if any(descriptions.values()):
        # the chosen size's description under the picker (kept current by a line of script)
        shown = descriptions.get(chosen_size or "", "")
        size_help = (
            f'<div id="aml-size-description" class="form-text" aria-live="polite">{escape(shown)}</div>'
            "<script>(function(){var s=document.getElementById('aml-size'),"
            "d=document.getElementById('aml-size-description');if(!s||!d)return;"
            "s.addEventListener('change',function(){var o=s.options[s.selectedIndex];"
            "d.textContent=(o&&o.getAttribute('data-description'))||'';});})();</script>"
        )
    if failed:  # an empty first choice: `required` makes the browser ask for a real one
        project_options = _placeholder("Choose a project") + project_options
        size_options = _placeholder("Choose a size") + size_options
    described = ' aria-describedby="aml-last-server"' if notice else ""
    notice_html = ""
    if notice:
        kind = "warning" if failed else "info"
        hint = (
            "Choose a project and a size below: the same ones to try again, or others."
            if failed
            # a stopped compute instance keeps its disk: starting it again is quicker than a create
            else "Press Start to start it again, with its files as you left them."
        )
        hint = f'<div class="form-text">{hint}</div>'
        notice_html = (
            f'<div id="aml-last-server" class="alert alert-{kind}" role="status">'
            f"{escape(notice.text)}{hint}</div>"
        )
    # Only against a real last choice, still preselected: there is a last instance to speak of.
    had_last = previous.get(PROJECT) == chosen_project and previous.get(SIZE) == chosen_size
    size_change = _size_change_note(chosen_project, chosen_size) if had_last and not failed else ""
    return (
        '<div class="aml-options">'
        f"{notice_html}"
        f"{_budget_notices(projects)}"
        '<div class="mb-3">'
        '<label for="aml-project" class="form-label">Project</label>'
        f'<select id="aml-project" name="{PROJECT}" class="form-select" required{described}>{project_options}</select>'
        "</div>"
        '<div class="mb-3">'
        '<label for="aml-size" class="form-label">Size</label>'
        f'<select id="aml-size" name="{SIZE}" class="form-select" required{described}>{size_options}</select>'
        f"{size_help}"
        f"{size_change}"
        "</div>"
        f"{_landing_choice(projects, previous.get(APP))}"
        '<p class="form-text">Your server is an Azure Machine Learning compute instance. '
        "Creating one takes a few minutes; starting a stopped one is quicker.</p>"
        "</div>"
    )


#: Said when a person picks another size than last time in the same project: a size is an
#: instance of its own, so their files are where every instance of the project sees them.
SIZE_CHANGE_NOTE = (
    "Another size starts a new compute instance; the one of your last size stays stopped, "
    "with its disk. Your files in your own folder of the project's file share, Users/<your name> "
    "(~/cloudfiles/code/Users/<your name> on the instance), are on every instance: JupyterLab opens there."
)


def _size_change_note(project: str | None, size: str | None) -> str:
    """A note under the size picker, shown by a line of script while the chosen size
    differs from the last one (`size`) in the same project (`project`)."""
    if not project or not size:
        return ""
    return (
        f'<div id="aml-size-change" class="form-text" role="status" hidden '
        f'data-project="{escape(project)}" data-size="{escape(size)}">{escape(SIZE_CHANGE_NOTE)}</div>'
        "<script>(function(){var n=document.getElementById('aml-size-change'),"
        "p=document.getElementById('aml-project'),s=document.getElementById('aml-size');"
        "if(!n||!p||!s)return;function f(){n.hidden=!(p.value===n.getAttribute('data-project')"
        "&&s.value!==n.getAttribute('data-size'));}"
        "p.addEventListener('change',f);s.addEventListener('change',f);f();})();</script>"
    )


def _landing_choice(projects: list[Mapping[str, Any]], previous: Any) -> str:
    """"Open in: JupyterLab · Jupyter · VS Code" (and the projects' custom services) as
    radio buttons, the last choice checked. An app only some projects offer names them
    and is disabled (by a line of script) while another project is picked; the control
    plane refuses it for those anyway. Nothing when the control plane lists no apps."""
    apps: dict[str, str] = {}
    offered_by: dict[str, list[str]] = {}
    for project in projects:
        for app in project.get("apps") or []:
            if not isinstance(app, Mapping) or not app.get("id"):
                continue
            app_id = str(app["id"])
            apps.setdefault(app_id, str(app.get("name") or app_id))
            offered_by.setdefault(app_id, []).append(str(project["name"]))
    if not apps:
        return ""
    everywhere = {app_id for app_id, names in offered_by.items() if len(names) == len(projects)}
    chosen = previous if isinstance(previous, str) and previous in apps else next(iter(apps))
    buttons = []
    for index, (app_id, name) in enumerate(apps.items()):
        only = "" if app_id in everywhere else f" ({', '.join(offered_by[app_id])} only)"
        projects_attr = (
            "" if app_id in everywhere
            else f' data-projects="{escape(" ".join(offered_by[app_id]))}"'
        )
        checked = " checked" if app_id == chosen else ""
        buttons.append(
            '<div class="form-check form-check-inline">'
            f'<input class="form-check-input" type="radio" name="{APP}" id="aml-app-{index}" '
            f'value="{escape(app_id)}"{checked}{projects_attr}>'
            f'<label class="form-check-label" for="aml-app-{index}">{escape(name + only)}</label>'
            "</div>"
        )
    return (
        '<fieldset class="mb-3" id="aml-app">'
        '<legend class="form-label fs-6 mb-1">Open in</legend>'
        f"{''.join(buttons)}"
        '<div class="form-text">Where your server opens; your files are the same in each.</div>'
        "</fieldset>"
        + _LANDING_SCRIPT
    )


#: Keeps the landing choices to those the picked project offers.
_LANDING_SCRIPT = (
    "<script>(function(){var p=document.getElementById('aml-project'),"
    "f=document.getElementById('aml-app');if(!p||!f)return;function sync(){"
    "var r=f.querySelectorAll('input[type=radio]'),lost=false;r.forEach(function(b){"
    "var only=b.getAttribute('data-projects');b.disabled=!!only&&only.split(' ').indexOf(p.value)<0;"
    "if(b.disabled&&b.checked){b.checked=false;lost=true;}});"
    "if(lost&&r.length){r[0].checked=true;}}p.addEventListener('change',sync);sync();})();</script>"
)


#: Marks the failed choice in the pickers, so it stays visible but is not preselected.
LAST_FAILED = " — last start failed"


def _placeholder(text: str) -> str:
    return f'<option value="" selected disabled>{escape(text)}…</option>'


def _pick(wanted: Any, available: list[str], fallback: str = "") -> str | None:
    for candidate in (wanted, fallback):
        if isinstance(candidate, str) and candidate in available:
            return candidate
    return available[0] if available else None


def _project_text(project: Mapping[str, Any]) -> str:
    location = project.get("location")
    return f"{project['name']} ({location})" if location else str(project["name"])


def _size_text(size: Mapping[str, Any]) -> str:
    """"Small — 4 cores, 14 GB RAM", "GPU — 6 cores, 56 GB, 1 × NVIDIA T4" from the
    size's vcpus, memoryGB, gpus and gpuName; the VM size name when the control plane
    does not say those."""
    text = str(size["label"])
    cores, memory, gpus = _number(size.get("vcpus")), _number(size.get("memoryGB")), _number(size.get("gpus"))
    if cores and memory:
        parts = [f"{_amount(cores)} {'core' if cores == 1 else 'cores'}"]
        if gpus:
            gpu_name = str(size.get("gpuName") or "").strip()
            parts += [f"{_amount(memory)} GB", f"{_amount(gpus)} × {gpu_name or 'GPU'}"]
        else:
            parts.append(f"{_amount(memory)} GB RAM")
        return f"{text} — {', '.join(parts)}{_price_text(size)}"
    if size.get("vmSize"):
        text += f" — {size['vmSize']}"
    if (gpus or size.get("gpu")) and "gpu" not in text.lower():
        text += " (GPU)"
    return text + _price_text(size)


#: How the form writes the currencies people most often see; others by their code.
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def _price_text(size: Mapping[str, Any]) -> str:
    """" · about $0.29/h" from the size's pricePerHour and currency; "" without a price."""
    price, currency = _number(size.get("pricePerHour")), str(size.get("currency") or "")
    if price is None or not currency:
        return ""
    amount = f"{price:.2f}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f" · about {symbol}{amount}/h" if symbol else f" · about {amount} {currency}/h"


def _budget_notices(projects: list[Mapping[str, Any]]) -> str:
    """The control plane's words for each project near or over its monthly budget."""
    notices = []
    for project in projects:
        budget = project.get("budget") or {}
        if budget.get("status") in (None, "ok") or not budget.get("message"):
            continue
        kind = "danger" if budget.get("status") == "exceeded" else "warning"
        notices.append(
            f'<div class="alert alert-{kind}" role="status">'
            f"{escape(str(project['name']))}: {escape(str(budget['message']))}</div>"
        )
    return "".join(notices)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    return float(value)


def _amount(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def _size_description(size: Mapping[str, Any]) -> str:
    description = size.get("description")
    return description.strip() if isinstance(description, str) else ""


def _option(value: str, text: str, selected: bool, description: str = "") -> str:
    mark = " selected" if selected else ""
    data = f' data-description="{escape(description)}"' if description else ""
    return f'<option value="{escape(value)}"{mark}{data}>{escape(text)}</option>'


#: JupyterHub's Start button under a form that has nothing to start would only fail.
_HIDE_START = (  # the button comes after the form's fields: once the page is parsed
    "<script>document.addEventListener('DOMContentLoaded',function(){"
    "document.querySelectorAll('#spawn_form [type=submit]')"
    ".forEach(function(b){b.hidden=true;});});</script>"
)


def _alert(kind: str, message: str, hint: str = "") -> str:
    hint_html = f'<div class="form-text">{escape(hint)}</div>' if hint else ""
    return (
        f'<div class="aml-options alert alert-{kind}" role="alert">'
        f"{escape(message)}{hint_html}</div>{_HIDE_START}"
    )
