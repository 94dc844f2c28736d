"""The example application: meeting rooms.

Domain models (what the business stores; clients never read them):
``User``, ``Location``, ``Meeting``, ``Ticket`` (under the user). View models (what front ends listen on):
``MeetingSession``, one per attendee of each meeting, and ``UserView``, each user's
upcoming meetings. REST resources (Flask-As-View):
``MeetingCard`` and ``MeetingAttendance`` (:mod:`.rest`), and ``MeetingSession``.

``VIEW_MODELS`` lists the view models ``functions/main.py`` deploys triggers for.
"""

from .domain import Location, Meeting, Ticket, User
from .rest import MeetingAttendance, MeetingCard
from .views import MeetingSession, UserView

#: The view models this app deploys (functions/main.py exports one trigger per source pattern).
VIEW_MODELS = (MeetingSession, UserView)

#: The view models the ``api`` HTTP function serves as REST (each declares ``Meta.rest``).
REST_VIEWS = (MeetingSession, MeetingCard, MeetingAttendance)

__all__ = [
    "REST_VIEWS",
    "VIEW_MODELS",
    "Location",
    "Meeting",
    "MeetingAttendance",
    "MeetingCard",
    "MeetingSession",
    "Ticket",
    "User",
    "UserView",
]
