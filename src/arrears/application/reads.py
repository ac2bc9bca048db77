"""Reads of personal data, audited on every door (pages, API, exports).

A door that shows a customer's data (a case, an account, a plan, an approval, or a list of them)
records who read which objects, through which door, in one insert whatever the number shown: one
entry per object, action `<object_type>.read` (`.export` for exports), so that the audit search by
object finds every read of it. The door is the route's name, never its path (a path may carry an
account number).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from arrears.audit.operations import record_many

# What a door may say it read.
OBJECT_TYPES = ("customer", "account", "case", "plan", "approval")


def record_reads(*, actor: str, door: str, object_type: str, ids: Iterable[object], action: str = "read") -> None:
    """One audit entry per object read (in one insert); nothing when nothing was shown."""
    if object_type not in OBJECT_TYPES:
        raise ValueError(f"not an object type a read is recorded for: {object_type!r}")
    seen: dict[str, None] = dict.fromkeys(str(i) for i in ids)  # each object once, in the order shown
    record_many(
        actor=actor,
        action=f"{object_type}.{action}",
        object_type=object_type,
        items=[(object_id, {"door": door}) for object_id in seen],
    )


def record_request_reads(request: Any, *, object_type: str, ids: Iterable[object], action: str = "read") -> None:
    """`record_reads` for a page or an API request: the signed-in person, the request's route."""
    record_reads(
        actor=request.user.get_username(), door=door_of(request), object_type=object_type, ids=ids, action=action
    )


def door_of(request: Any) -> str:
    """The route a request came through, by its name (`web:account`, `api-v1:read_case`)."""
    match = getattr(request, "resolver_match", None)
    name = match.view_name if match is not None and match.view_name else "unnamed"
    return name if name.startswith("api-") else f"web:{name}"
