"""What the spawn page tells a person about their last server, and about a hub that is
set up wrong (pure sentences, as tables)."""

from datetime import datetime, timezone

import pytest

from aml_jupyterhub.errors import ControlPlaneError
from aml_jupyterhub.messages import (
    IDENTITY_MISSING,
    at_time,
    is_hub_refused,
    is_missing_identity,
    last_server_notice,
    unreachable,
)

NOW = datetime(2026, 12, 3, 15, 30, tzinfo=timezone.utc)
OID = "a11ce000-0000-4000-8000-000000000001"


def server(**fields):
    base = {"id": "ci-0123456789abcdef01234", "project": "climate-lab", "size": "Small",
            "state": "Stopped", "stopReason": None, "error": None,
            "startedAt": None, "stoppedAt": None, "lastActivityAt": None}
    return {**base, **fields}


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        (
            {"stopReason": "idle", "stoppedAt": "2026-12-03T14:02:11Z"},
            "Your Small server in climate-lab was stopped at 14:02 UTC after a period without activity.",
        ),
        (
            {"stopReason": "idle", "stoppedAt": "2026-12-01T09:15:00.123Z", "size": "GPU", "project": "ocean-lab"},
            "Your GPU server in ocean-lab was stopped on 1 December at 09:15 UTC after a period without activity.",
        ),
        (
            {"stopReason": "max-runtime", "startedAt": "2026-12-03T02:01:00Z", "stoppedAt": "2026-12-03T14:02:00Z"},
            "Your Small server in climate-lab was stopped at 14:02 UTC after running for 12 hours, "
            "the longest a server may run.",
        ),
        (
            {"stopReason": "max-runtime", "stoppedAt": "2025-06-30T23:59:00Z"},
            "Your Small server in climate-lab was stopped on 30 June 2025 at 23:59 UTC after running, "
            "the longest a server may run.",
        ),
        (
            {"stopReason": "schedule", "stoppedAt": "2026-12-03T11:00:40Z"},
            "Your Small server in climate-lab was stopped at 11:00 UTC, after its scheduled session had ended.",
        ),
        (
            {"stopReason": "idle"},  # no time reported: no time said
            "Your Small server in climate-lab was stopped after a period without activity.",
        ),
    ],
)
def test_why_the_last_server_stopped(fields, text):
    notice = last_server_notice(server(**fields), NOW)
    assert notice is not None and notice.text == text and not notice.failed


@pytest.mark.parametrize(
    "fields",
    [
        {"stopReason": "user"},  # the person stopped it: they know
        {"stopReason": "admin"},
        {"state": "Running", "stopReason": None},
        {"state": "Creating"},
        {"state": "Deleted", "stopReason": "idle"},
    ],
)
def test_nothing_to_say(fields):
    assert last_server_notice(server(**fields), NOW) is None


def test_a_failed_start_in_azures_words():
    message = "Operation could not be completed as it results in exceeding approved standardDSv2Family Cores quota."
    notice = last_server_notice(
        server(state="Failed", error={"code": "QuotaExceeded", "message": message}), NOW
    )
    assert notice.failed and (notice.project, notice.size) == ("climate-lab", "Small")
    assert notice.text == (
        f"Your last start of Small in climate-lab failed: {message} "
        "Starting it again deletes the failed instance and creates a new one."
    )


def test_a_failed_start_without_a_message():
    notice = last_server_notice(server(state="Failed"), NOW)
    assert notice.text.startswith("Your last start of Small in climate-lab failed. Starting it again")


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 12, 3, 0, 5, tzinfo=timezone.utc), "at 00:05 UTC"),
        (datetime(2026, 12, 2, 23, 59, tzinfo=timezone.utc), "on 2 December at 23:59 UTC"),
        (datetime(2025, 12, 3, 8, 0, tzinfo=timezone.utc), "on 3 December 2025 at 08:00 UTC"),
    ],
)
def test_times_a_person_reads(moment, text):
    assert at_time(moment, NOW) == text


@pytest.mark.parametrize(
    ("error", "object_id", "listing", "missing"),
    [
        (ControlPlaneError(400, "The request is not valid", "needs userObjectId", code="user-object-id-required"), None, False, True),
        # under rbac, without an object id: the options are refused for that reason only
        (ControlPlaneError(403, "The project is not offered to this user", "…", code="project-forbidden"), None, True, True),
        # a spawn under rbac that names the missing id
        (ControlPlaneError(403, "Forbidden", "it needs the user's Entra object id (userObjectId)", code="project-forbidden"), None, False, True),
        # a project simply not offered to this person
        (ControlPlaneError(403, "Forbidden", "alice may not use project climate-lab."), None, False, False),
        (ControlPlaneError(403, "Forbidden", "not offered", code="project-forbidden"), OID, True, False),
        # the hub itself lacks the Hub role: another misconfiguration
        (ControlPlaneError(403, "The caller may not do this", "needs the Hub role", code="forbidden"), None, True, False),
        (ControlPlaneError(400, "Bad Request", "bad size"), None, False, False),
    ],
)
def test_missing_identity_is_recognised(error, object_id, listing, missing):
    assert is_missing_identity(error, object_id, listing=listing) is missing


def test_the_identity_message_is_for_the_person():
    assert IDENTITY_MISSING == (
        "Your JupyterHub is not set up to pass your identity to Azure; please contact your hub administrator."
    )
    assert "userObjectId" not in IDENTITY_MISSING and "auth_state" not in IDENTITY_MISSING


def test_hub_refused():
    assert is_hub_refused(ControlPlaneError(401, "A credential is required"))
    assert is_hub_refused(ControlPlaneError(403, "x", code="forbidden"))
    assert not is_hub_refused(ControlPlaneError(403, "x", code="project-forbidden"))


def test_unreachable_names_the_wait():
    assert unreachable(120) == (
        "The service that starts servers (the control plane) could not be reached for 2 minutes, "
        "so your server was not started. Try again in a few minutes; if it keeps failing, "
        "tell your hub administrator."
    )
    assert "for 30 seconds" in unreachable(30)
