"""Typed exceptions raised by flask-boiler.

Every error a user can act on has its own type, so callers (and the REST layer)
can tell a bad configuration from bad input from a missing document.
"""

from __future__ import annotations

__all__ = ["FlaskBoilerError", "ConfigurationError"]


class FlaskBoilerError(Exception):
    """Base class of every exception flask-boiler raises on purpose."""


class ConfigurationError(FlaskBoilerError):
    """The project is not configured well enough to reach Firebase; the message says what to set."""
