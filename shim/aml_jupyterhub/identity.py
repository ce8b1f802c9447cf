"""The user's Entra ID identity, read from the authenticator's `auth_state`.

With OAuthenticator's `AzureAdOAuthenticator` and `enable_auth_state = True`, the
decoded ID token is stored under `auth_state["user"]`, so the object id is at
`user.oid` and the tenant at `user.tid`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class Identity:
    object_id: str | None = None
    tenant_id: str | None = None


def lookup(data: Mapping[str, Any] | None, dotted_key: str) -> Any:
    """`lookup({"user": {"oid": "…"}}, "user.oid")` → "…"; None when any part is missing."""
    value: Any = data
    for part in dotted_key.split(".") if dotted_key else []:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value if dotted_key else None


def as_guid(value: Any) -> str | None:
    if isinstance(value, str) and GUID.match(value.strip()):
        return value.strip().lower()
    return None


def identity_from_auth_state(
    auth_state: Mapping[str, Any] | None, object_id_key: str, tenant_id_key: str
) -> Identity:
    """The GUIDs found at the configured keys; anything that is not a GUID is ignored."""
    return Identity(
        object_id=as_guid(lookup(auth_state, object_id_key)),
        tenant_id=as_guid(lookup(auth_state, tenant_id_key)),
    )
