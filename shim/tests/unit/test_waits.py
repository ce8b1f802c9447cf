import pytest

from aml_jupyterhub.clock import Deadline
from aml_jupyterhub.errors import ControlPlaneError, ControlPlaneUnavailableError
from aml_jupyterhub.waits import call_with_retries, follow_server


def scripted(*outcomes):
    """An async callable returning (or raising) each outcome in turn."""
    calls = []

    async def call():
        outcome = outcomes[min(len(calls), len(outcomes) - 1)]
        calls.append(outcome)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    call.calls = calls
    return call


async def test_retries_transient_errors_honouring_retry_after(clock):
    call = scripted(
        ControlPlaneError(409, "Conflict", "stopping", retry_after=3),
        ControlPlaneUnavailableError("down"),
        {"id": "ci-x"},
    )
    result = await call_with_retries(call, deadline=Deadline(clock, 60), what="spawn", first_delay=1)
    assert result == {"id": "ci-x"}
    assert clock.sleeps == [3, 2]  # Retry-After, then the back-off (1 doubled once)


async def test_does_not_retry_the_callers_mistakes(clock):
    call = scripted(ControlPlaneError(400, "Bad Request", "bad size"))
    with pytest.raises(ControlPlaneError):
        await call_with_retries(call, deadline=Deadline(clock, 60), what="spawn")
    assert len(call.calls) == 1 and clock.sleeps == []


async def test_gives_up_at_the_deadline(clock):
    call = scripted(ControlPlaneUnavailableError("down"))
    with pytest.raises(ControlPlaneUnavailableError):
        await call_with_retries(call, deadline=Deadline(clock, 10), what="spawn", first_delay=2)
    assert clock.now < 10
    assert sum(clock.sleeps) < 10


async def test_follow_until_settled(clock):
    fetch = scripted({"state": "Creating"}, ControlPlaneError(503, "Unavailable"), {"state": "Running", "url": "u"})
    seen = []
    server, settled = await follow_server(
        fetch, deadline=Deadline(clock, 100), interval=5,
        settled=lambda s: s["state"] == "Running", on_update=seen.append,
    )
    assert settled and server["state"] == "Running"
    assert seen == [{"state": "Creating"}, {"state": "Running", "url": "u"}]
    assert clock.sleeps == [5, 5]


async def test_follow_stops_at_the_deadline(clock):
    fetch = scripted({"state": "Creating"})
    server, settled = await follow_server(
        fetch, deadline=Deadline(clock, 12), interval=5, settled=lambda s: False
    )
    assert not settled and server == {"state": "Creating"}
    assert clock.now == 12 and clock.sleeps == [5, 5, 2]


async def test_follow_propagates_not_found(clock):
    fetch = scripted(ControlPlaneError(404, "Not Found"))
    with pytest.raises(ControlPlaneError):
        await follow_server(fetch, deadline=Deadline(clock, 12), interval=5, settled=lambda s: True)
