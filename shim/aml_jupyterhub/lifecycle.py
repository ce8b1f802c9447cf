"""What the control plane's server representation means to JupyterHub.

Pure functions over the JSON of `GET /api/servers/{id}` (see DESIGN.md, "Control
plane HTTP API"): no I/O here, so each rule is tested as a table.
"""

from __future__ import annotations

from typing import Any, Mapping

Server = Mapping[str, Any]

#: The instance is on its way up: JupyterHub must keep treating it as running.
PROVISIONING = frozenset({"Requested", "Creating", "Starting"})
RUNNING = "Running"
#: A stop (or delete) has finished or is under way.
GONE = frozenset({"Stopping", "Stopped", "Deleting", "Deleted"})
FAILED = "Failed"
#: `stop()` may return once the server is in one of these.
STOP_SETTLED = frozenset({"Stopped", "Failed", "Deleted"})


def exit_status(state: str | None) -> int | None:
    """`Spawner.poll()`'s answer for a lifecycle state.

    None (still running) while the instance is provisioning or running, and for a state
    this version does not know: reporting an exit for a server that is still being
    created would make the hub forget it and leak the instance.
    """
    if state == FAILED:
        return 1
    if state in GONE:
        return 0
    return None


def is_provisioning(server: Server) -> bool:
    return server.get("state") in PROVISIONING


def is_running(server: Server) -> bool:
    return server.get("state") == RUNNING and bool(server.get("url"))


def is_spawn_settled(server: Server) -> bool:
    """A spawn is over: the server is Running with a URL, or it will not get there."""
    state = server.get("state")
    if state == RUNNING:
        return bool(server.get("url"))
    return state not in PROVISIONING


def is_stop_settled(server: Server) -> bool:
    return server.get("state") in STOP_SETTLED


def failure_message(server: Server) -> str:
    """Why a spawn did not reach Running, in Azure's own words when there are some."""
    error = server.get("error") or {}
    message = error.get("message") if isinstance(error, Mapping) else None
    if message:
        return str(message)
    state = server.get("state") or "unknown"
    name = server.get("id") or "the compute instance"
    if state in GONE:
        reason = server.get("stopReason")
        suffix = f" (stop reason: {reason})" if reason else ""
        return f"{name} was stopped before it was ready{suffix}."
    if state == RUNNING:
        return f"{name} is running but the control plane reported no JupyterLab URL."
    return f"{name} ended in state {state}."


def timeout_message(server: Server, seconds: int | float) -> str:
    """Why a spawn the hub gave up on was not ready: where it stood, and its last step
    (which says so when Azure answered with an error and the control plane tries again)."""
    name = server.get("id") or "the compute instance"
    state = server.get("state") or "unknown"
    aml_state = server.get("amlState")
    in_azure = f"Azure ML shows it {aml_state}" if aml_state else "Azure ML has no instance for it yet"
    message = f"{name} was not ready after {seconds} seconds (still {state}; {in_azure})."
    progress = server.get("progress") or []
    last = progress[-1].get("message") if progress and isinstance(progress[-1], Mapping) else None
    if last:
        message += f" Its last step: {str(last).rstrip('.')}."
    return message


def failure_code(server: Server) -> str | None:
    error = server.get("error")
    if isinstance(error, Mapping) and error.get("code"):
        return str(error["code"])
    return None


def progress_events(server: Server) -> list[dict[str, Any]]:
    """The server's whole `progress` list as JupyterHub progress events."""
    events = []
    for item in server.get("progress") or []:
        if not isinstance(item, Mapping):
            continue
        event: dict[str, Any] = {"message": str(item.get("message") or "")}
        value = item.get("progress")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            event["progress"] = max(0, min(100, int(value)))
        events.append(event)
    return events


def describe(server: Server) -> str:
    """A short log-friendly summary."""
    return (
        f"{server.get('id')} state={server.get('state')} "
        f"amlState={server.get('amlState')} url={server.get('url')}"
    )
