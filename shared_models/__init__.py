"""The example application: meeting rooms.

Domain models (what the business stores; clients never read them):
``User``, ``Location``, ``Meeting``. View models (what front ends listen on):
``MeetingSession``, one per attendee of each meeting.

``VIEW_MODELS`` lists the view models ``functions/main.py`` deploys triggers for.
"""

from .domain import Location, Meeting, User
from .views import MeetingSession

#: The view models this app deploys (functions/main.py exports one trigger per source pattern).
VIEW_MODELS = (MeetingSession,)

__all__ = ["Location", "Meeting", "MeetingSession", "User", "VIEW_MODELS"]
