from datetime import datetime, timezone

import pytest

from aml_jupyterhub.recovery import pick_live_server, remaining_start_budget

SERVERS = [
    {"id": "ci-a", "serverName": "", "state": "Stopped", "updatedAt": "2025-05-01T12:00:03Z"},
    {"id": "ci-b", "serverName": "", "state": "Creating", "updatedAt": "2025-05-01T12:00:01Z"},
    {"id": "ci-c", "serverName": "", "state": "Running", "updatedAt": "2025-05-01T12:00:02Z"},
    {"id": "ci-d", "serverName": "gpu", "state": "Starting", "updatedAt": "2025-05-01T12:00:09Z"},
    {"id": "ci-e", "serverName": None, "state": "Failed", "updatedAt": "2025-05-01T12:00:09Z"},
]


@pytest.mark.parametrize("name, found", [("", "ci-c"), ("gpu", "ci-d"), ("other", None)])
def test_pick_live_server(name, found):
    server = pick_live_server(SERVERS, name)
    assert (server or {}).get("id") == found


@pytest.mark.parametrize(
    "started, budget",
    [
        (None, 890.0),
        (datetime(2025, 5, 1, 12, 0, 0), 890.0 - 300),  # naive UTC, as the hub stores it
        (datetime(2025, 5, 1, 12, 0, 0, tzinfo=timezone.utc), 590.0),
        (datetime(2025, 5, 1, 11, 0, 0), 5.0),  # long gone: the floor
        (datetime(2025, 5, 1, 12, 10, 0), 890.0),  # clock skew: never more than the budget
    ],
)
def test_remaining_start_budget(started, budget):
    now = datetime(2025, 5, 1, 12, 5, 0, tzinfo=timezone.utc)
    assert remaining_start_budget(890.0, started, now, floor=5.0) == budget
