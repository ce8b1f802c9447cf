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


async def test_an_unreachable_control_plane_is_retried_for_a_bounded_time(clock):
    from aml_jupyterhub.errors import ControlPlaneOutageError
    from aml_jupyterhub.waits import Outage

    notices = []
    outage = Outage(clock, 30, notices.append, notice_every=10)
    refused = ControlPlaneUnavailableError("The control plane at http://x could not be reached (ConnectError: [Errno 111] Connection refused).")
    call = scripted(refused)
    with pytest.raises(ControlPlaneOutageError) as caught:
        await call_with_retries(call, deadline=Deadline(clock, 900), what="spawn", outage=outage)
    assert 30 <= caught.value.seconds < 31 and caught.value.last_error is refused
    assert sum(clock.sleeps) == pytest.approx(30)  # the back-off is cut to the outage's end
    assert notices[0] == "Cannot reach the control plane (the connection is refused), retrying…"
    assert notices[1].startswith("Still cannot reach the control plane after 1")
    assert all("retrying" in n for n in notices)


async def test_5xx_counts_as_unreachable_and_an_answer_ends_the_outage(clock):
    from aml_jupyterhub.waits import Outage

    notices = []
    outage = Outage(clock, 30, notices.append)
    call = scripted(
        ControlPlaneError(503, "Service Unavailable"),
        ControlPlaneError(500, "Internal Server Error"),  # not "transient", but the host may be restarting
        {"id": "ci-x"},
    )
    assert await call_with_retries(call, deadline=Deadline(clock, 900), what="spawn", outage=outage) == {"id": "ci-x"}
    assert notices == [
        "Cannot reach the control plane (it answers 503 Service Unavailable), retrying…",
        "The control plane answers again.",
    ]
    assert outage.since is None


async def test_throttling_and_busy_are_answers_not_outages(clock):
    from aml_jupyterhub.waits import Outage

    notices = []
    outage = Outage(clock, 2, notices.append)
    call = scripted(
        ControlPlaneError(503, "Azure is throttling requests", code="throttled", retry_after=3),
        ControlPlaneError(409, "Conflict", "stopping", retry_after=3),
        {"id": "ci-x"},
    )
    assert await call_with_retries(call, deadline=Deadline(clock, 60), what="spawn", outage=outage) == {"id": "ci-x"}
    assert notices == [] and clock.sleeps == [3, 3]


async def test_following_a_server_through_an_outage(clock):
    from aml_jupyterhub.errors import ControlPlaneOutageError
    from aml_jupyterhub.waits import Outage

    outage = Outage(clock, 10)
    fetch = scripted({"state": "Creating"}, ControlPlaneUnavailableError("did not answer GET /api/servers/ci-x in time."))
    with pytest.raises(ControlPlaneOutageError):
        await follow_server(fetch, deadline=Deadline(clock, 900), interval=2, settled=lambda s: False, outage=outage)
    assert sum(clock.sleeps) == pytest.approx(12)  # one read, then ten seconds of failures


def _chained(outer: Exception, inner: BaseException) -> Exception:
    outer.__cause__ = inner
    return outer


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (_chained(ControlPlaneUnavailableError("could not be reached (ConnectError: All connection attempts failed)."),
                  ConnectionRefusedError(111, "Connection refused")), "the connection is refused"),
        (_chained(ControlPlaneUnavailableError("could not be reached (ConnectError: [Errno -2] Name or service not known)."),
                  __import__("socket").gaierror(-2, "Name or service not known")), "its name cannot be resolved"),
        (ControlPlaneUnavailableError("The control plane at http://x did not answer GET /api/health in time."),
         "it does not answer in time"),
        (ControlPlaneError(502, "Bad Gateway"), "it answers 502 Bad Gateway"),
    ],
)
def test_outage_reasons_in_a_few_words(error, reason):
    from aml_jupyterhub.waits import outage_reason

    assert outage_reason(error) == reason


async def test_the_spawn_deadline_during_an_outage_is_reported_as_the_outage(clock):
    from aml_jupyterhub.errors import ControlPlaneOutageError
    from aml_jupyterhub.waits import Outage

    call = scripted(ControlPlaneError(503, "Service Unavailable"))
    with pytest.raises(ControlPlaneOutageError):
        await call_with_retries(call, deadline=Deadline(clock, 10), what="spawn", outage=Outage(clock, 120))
