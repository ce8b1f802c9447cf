import pytest

from aml_jupyterhub import lifecycle


@pytest.mark.parametrize(
    "state, status",
    [
        ("Requested", None),
        ("Creating", None),
        ("Starting", None),
        ("Running", None),
        ("Stopping", 0),
        ("Stopped", 0),
        ("Deleting", 0),
        ("Deleted", 0),
        ("Failed", 1),
        ("SomethingNew", None),  # unknown: never make the hub forget a server
        (None, None),
    ],
)
def test_exit_status(state, status):
    assert lifecycle.exit_status(state) == status


@pytest.mark.parametrize(
    "server, settled, running",
    [
        ({"state": "Creating"}, False, False),
        ({"state": "Starting"}, False, False),
        ({"state": "Running", "url": None}, False, False),
        ({"state": "Running", "url": "https://ci/lab"}, True, True),
        ({"state": "Failed"}, True, False),
        ({"state": "Stopped"}, True, False),
    ],
)
def test_spawn_settled_and_running(server, settled, running):
    assert lifecycle.is_spawn_settled(server) is settled
    assert lifecycle.is_running(server) is running


@pytest.mark.parametrize(
    "server, message",
    [
        (
            {"state": "Failed", "error": {"code": "QuotaExceeded", "message": "Operation could not be completed as it results in exceeding approved standardDSv2Family Cores quota."}},
            "Operation could not be completed as it results in exceeding approved standardDSv2Family Cores quota.",
        ),
        ({"id": "ci-x", "state": "Failed", "error": None}, "ci-x ended in state Failed."),
        ({"id": "ci-x", "state": "Stopped", "stopReason": "admin"}, "ci-x was stopped before it was ready (stop reason: admin)."),
        ({"id": "ci-x", "state": "Deleted"}, "ci-x was stopped before it was ready."),
    ],
)
def test_failure_message_is_azures_own(server, message):
    assert lifecycle.failure_message(server) == message


@pytest.mark.parametrize(
    "server, message",
    [
        (
            {"id": "ci-x", "state": "Creating", "amlState": None, "progress": [
                {"at": "t", "progress": 20, "message": "Creating your Small server — usually about 6 minutes"},
                {"at": "t", "progress": 20, "message": "Azure answered the create with an error: Internal error. Trying again."},
            ]},
            "ci-x was not ready after 25 seconds (still Creating; Azure ML has no instance for it yet). "
            "Its last step: Azure answered the create with an error: Internal error. Trying again.",
        ),
        (
            {"id": "ci-x", "state": "Starting", "amlState": "Starting", "progress": []},
            "ci-x was not ready after 25 seconds (still Starting; Azure ML shows it Starting).",
        ),
    ],
)
def test_timeout_message_says_where_the_spawn_stood_without_python_values(server, message):
    assert lifecycle.timeout_message(server, 25) == message


def test_failure_code():
    assert lifecycle.failure_code({"error": {"code": "CreateFailed", "message": "m"}}) == "CreateFailed"
    assert lifecycle.failure_code({"error": None}) is None


def test_progress_events_maps_and_clamps():
    server = {
        "progress": [
            {"at": "t1", "progress": 20, "message": "Creating compute instance ci-x"},
            {"at": "t2", "message": "no number"},
            {"at": "t3", "progress": 140, "message": "over"},
            "not an object",
        ]
    }
    assert lifecycle.progress_events(server) == [
        {"progress": 20, "message": "Creating compute instance ci-x"},
        {"message": "no number"},
        {"progress": 100, "message": "over"},
    ]
    assert lifecycle.progress_events({"progress": None}) == []
