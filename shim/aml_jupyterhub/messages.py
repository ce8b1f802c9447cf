"""Sentences for the person on the spawn page (pure: data in, text out).

The control plane's problem details are written for whoever runs it; these are written
for whoever wants a server. The administrator's detail goes to the hub's log instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Mapping

from .errors import ControlPlaneError

IDENTITY_MISSING = (
    "Your JupyterHub is not set up to pass your identity to Azure; "
    "please contact your hub administrator."
)
HUB_REFUSED = (
    "The service that starts servers does not accept this JupyterHub's credentials; "
    "please contact your hub administrator."
)
#: Problem codes by which the control plane says it needs the person's Entra object id.
IDENTITY_CODES = frozenset({"user-object-id-required"})


def is_missing_identity(error: ControlPlaneError, object_id: str | None, *, listing: bool = False) -> bool:
    """The control plane refused because the hub passed no object id: 400
    `user-object-id-required` (Personal instances), or 403 under `PROJECT_ACCESS=rbac`,
    which offers projects by the person's Azure roles. Reading the options (`listing`)
    is refused only for that reason; a spawn may also be refused a project that is not
    offered, so there the problem must name the missing `userObjectId`."""
    if error.code in IDENTITY_CODES:
        return True
    if object_id or error.status != 403 or error.code == "forbidden":
        return False
    return listing or "userobjectid" in f"{error.detail} {error.title}".lower()


def is_hub_refused(error: ControlPlaneError) -> bool:
    """The control plane refused the hub itself (bad key, token without the Hub role)."""
    return error.status == 401 or (error.status == 403 and error.code == "forbidden")


def unreachable(seconds: float) -> str:
    return (
        f"The service that starts servers (the control plane) could not be reached for "
        f"{_duration(seconds)}, so your server was not started. Try again in a few minutes; "
        "if it keeps failing, tell your hub administrator."
    )


def unreachable_now(reason: str) -> str:
    """For the form: the projects cannot be read because the control plane is away."""
    return f"the service that starts servers (the control plane) cannot be reached ({reason})."


@dataclass(frozen=True)
class LastServerNotice:
    """What the form says about the person's last server."""

    text: str
    #: The last start failed: the form must not preselect that choice silently.
    failed: bool = False
    project: str | None = None
    size: str | None = None


def last_server_notice(server: Mapping[str, Any] | None, now: datetime) -> LastServerNotice | None:
    """One plain sentence on why the last server is not running, when the person could
    not otherwise know: stopped for inactivity or for running too long, or failed."""
    if not server:
        return None
    project, size = server.get("project"), server.get("size")
    what = _server_words(size, project)
    state, reason = server.get("state"), server.get("stopReason")
    if state == "Failed":
        error = server.get("error") or {}
        azure = str(error.get("message") or "").strip() if isinstance(error, Mapping) else ""
        start = f"Your last start of {_choice_words(size, project)} failed"
        text = f"{start}: {azure.rstrip('.')}." if azure else f"{start}."
        text += " Starting it again deletes the failed instance and creates a new one."
        return LastServerNotice(text, failed=True, project=project, size=size)
    if state != "Stopped" or reason not in ("idle", "max-runtime", "schedule"):
        return None
    stopped = parse_time(server.get("stoppedAt"))
    when = f" {at_time(stopped, now)}" if stopped else ""
    if reason == "schedule":
        return LastServerNotice(f"{what} was stopped{when}, after its scheduled session had ended.")
    if reason == "idle":
        # The control plane reports the stop, not how long the instance had been idle
        # (its own Azure ML idle shutdown decided): say so without a number.
        return LastServerNotice(f"{what} was stopped{when} after a period without activity.")
    started = parse_time(server.get("startedAt"))
    if started and stopped and stopped > started:
        ran = f"after running for {_duration((stopped - started).total_seconds())}"
    else:
        ran = "after running"
    return LastServerNotice(f"{what} was stopped{when} {ran}, the longest a server may run.")


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def at_time(moment: datetime, now: datetime) -> str:
    """When, for a person: "at 14:02 UTC" today, "on 2 December at 14:02 UTC" another day."""
    moment = moment.astimezone(timezone.utc)
    now = now.astimezone(timezone.utc)
    clock = f"{moment:%H:%M} UTC"
    if moment.date() == now.date():
        return f"at {clock}"
    day = f"{moment.day} {moment:%B}"
    if moment.year != now.year:
        day += f" {moment.year}"
    return f"on {day} at {clock}"


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if seconds < 90:
        return f"{round(seconds)} seconds"
    if minutes < 120:
        return f"{minutes} minutes"
    hours = round(seconds / 3600)
    return f"{hours} hours"


def _server_words(size: Any, project: Any) -> str:
    text = f"Your {size} server" if size else "Your server"
    return f"{text} in {project}" if project else text


def _choice_words(size: Any, project: Any) -> str:
    if size and project:
        return f"{size} in {project}"
    return str(size or project or "your server")
