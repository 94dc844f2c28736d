"""What the example's official-SDK callable answers: the signed-in user's next meeting.

The callable itself (``next_meeting`` in ``functions/main.py``) is written with the
firebase-functions SDK (``@https_fn.on_call()``): the SDK checks the caller's ID token and
speaks the callable protocol; this function only reads the user's agenda view, which the
triggers keep current, so answering costs one document read.
"""

from __future__ import annotations

from typing import Any

from .views import UserView


def next_meeting(uid: str) -> dict[str, Any] | None:
    """The first upcoming meeting on ``uid``'s agenda (``None`` when there is none)."""
    view = UserView.get(uid=uid)
    if view is None or not view.upcoming:
        return None
    first = view.upcoming[0]
    return {
        "meetingId": first["meeting_id"],
        "title": first["title"],
        "startsAt": first["starts_at"].isoformat() if first["starts_at"] else None,
    }
