import pytest

from aml_jupyterhub.identity import Identity, identity_from_auth_state, lookup

OID = "6f1c2f43-1111-4a0b-9c1d-2e3f4a5b6c7d"
TID = "72F988BF-86F1-41AF-91AB-2D7CD011DB47"


@pytest.mark.parametrize(
    "data, key, value",
    [
        ({"user": {"oid": OID}}, "user.oid", OID),
        ({"oauth_user": {"oid": OID}}, "user.oid", None),
        ({"user": "not a dict"}, "user.oid", None),
        (None, "user.oid", None),
        ({"oid": OID}, "oid", OID),
        ({"oid": OID}, "", None),
    ],
)
def test_lookup(data, key, value):
    assert lookup(data, key) == value


def test_identity_from_azuread_auth_state():
    # the shape AzureAdOAuthenticator stores with enable_auth_state = True
    auth_state = {"access_token": "…", "user": {"oid": OID, "tid": TID, "name": "Alice"}}
    assert identity_from_auth_state(auth_state, "user.oid", "user.tid") == Identity(OID, TID.lower())


def test_identity_ignores_values_that_are_not_guids():
    auth_state = {"user": {"oid": "alice", "tid": 42}}
    assert identity_from_auth_state(auth_state, "user.oid", "user.tid") == Identity()
    assert identity_from_auth_state(None, "user.oid", "user.tid") == Identity()
