"""Internals of flask-boiler. Nothing here is public API; import from ``flask_boiler`` instead."""
