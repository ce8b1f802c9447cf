"""The shim's error vocabulary.

Every error the spawner raises towards JupyterHub is a `SpawnError` whose message is
meant for the person on the spawn page; errors from the control plane keep its
problem+json fields so logs and tests can tell them apart.
"""

from __future__ import annotations

from typing import Any

from tornado import web


#: Problem codes that retrying cannot cure, whatever their status.
PERMANENT_CODES = frozenset({"quota-exceeded", "budget-exceeded", "compute-settings-invalid"})


class ControlPlaneError(Exception):
    """The control plane answered with an RFC 9457 problem (4xx or 5xx)."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        errors: list[Any] | None = None,
        problem_type: str = "about:blank",
        retry_after: float | None = None,
        code: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.errors = errors or []
        self.problem_type = problem_type
        self.retry_after = retry_after
        super().__init__(self.describe())

    @property
    def transient(self) -> bool:
        """Worth retrying: throttled, briefly unavailable, or busy stopping (409). A quota
        refusal (409 `quota-exceeded`) is not: the person must stop a server first."""
        if self.code in PERMANENT_CODES:
            return False
        return self.status in (409, 429, 502, 503, 504)

    def describe(self) -> str:
        """One sentence for a person: the detail, then each field error."""
        text = self.detail or self.title or f"HTTP {self.status}"
        reasons = [_field_error(e) for e in self.errors]
        reasons = [r for r in reasons if r]
        if reasons:
            text = f"{text.rstrip('.')}: {'; '.join(reasons)}"
        return text


class ControlPlaneUnavailableError(Exception):
    """The control plane could not be reached or did not answer in time."""

    transient = True


class ControlPlaneOutageError(Exception):
    """The control plane could not be reached for longer than the spawner waits
    (`control_plane_unreachable_timeout`)."""

    def __init__(self, seconds: float, last_error: BaseException) -> None:
        self.seconds = seconds
        self.last_error = last_error
        super().__init__(
            f"The control plane could not be reached for {seconds:.0f} seconds; last error: {last_error}"
        )


try:  # JupyterHub >= 6: the hub's own class for spawns refused or failed for a reason
    from jupyterhub.spawner import SpawnException as _HubSpawnException
except ImportError:  # JupyterHub 5
    _HubSpawnException = None


class _SpawnErrorBase(web.HTTPError):
    pass


class SpawnError(_HubSpawnException or _SpawnErrorBase):  # type: ignore[misc]
    """A spawn failed for a reason the user should read on the spawn page.

    JupyterHub shows `jupyterhub_message` as "Spawn failed: …". It is an HTTP error
    below 500 so that the hub logs it without a traceback and does not count a
    failure Azure reported (quota, size unavailable) as instability of the hub.
    """

    def __init__(self, message: str, *, code: str | None = None, status_code: int = 400) -> None:
        if _HubSpawnException is not None:
            super().__init__(message, reason="AML spawn failed", status_code=status_code)
        else:
            super().__init__(status_code, "%s", message, reason="AML spawn failed")
        self.code = code
        self.message = message
        self.jupyterhub_message = message

    def __str__(self) -> str:
        return self.message


class UserOptionsError(ValueError):
    """The user options of a spawn are not usable (missing or mistyped)."""


def _field_error(error: Any) -> str:
    if isinstance(error, str):
        return error
    if isinstance(error, dict):
        where = error.get("path") or error.get("field") or error.get("pointer") or ""
        if isinstance(where, list):
            where = ".".join(str(p) for p in where)
        message = error.get("message") or error.get("detail") or ""
        return f"{where}: {message}" if where and message else str(message or where)
    return str(error)
