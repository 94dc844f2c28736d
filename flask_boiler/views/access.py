"""Who may read a view: one declaration, enforced twice (REST routes and Firestore rules).

A view model says ``class Meta: access = owner("uid")``. The REST layer checks the
caller's verified Firebase ID token against it; the rules generator turns it into a
``allow read: if ...`` condition for the view's collection. Domain documents have no
access declaration: they are closed to clients.

**Closed unless declared open.** A view without ``Meta.access`` is :class:`Closed`: the
REST layer refuses every caller (403) and the generated rules say ``allow read: if
false``. Forgetting the declaration must cost a "why can't I read this?", never a data
leak, so even ``signed_in()`` (any account, including one an attacker just made) has to be
said.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import ModelDefinitionError, UsageError
from ..models.options import meta_option

__all__ = [
    "Access",
    "Closed",
    "Owner",
    "Public",
    "Role",
    "SignedIn",
    "access_of",
    "closed",
    "owner",
    "public",
    "role",
    "signed_in",
]


@dataclass(frozen=True)
class Access:
    """Base class of access policies."""

    def allows(self, claims: Mapping[str, Any] | None, path_params: Mapping[str, str]) -> bool:
        """Does a caller with these verified token ``claims`` (``None``: anonymous) pass?"""
        raise NotImplementedError

    def rules_condition(self) -> str:
        """The equivalent Firestore security rules condition (path params are rule variables)."""
        raise NotImplementedError

    def describe(self) -> str:
        """Who passes, in one sentence (API documentation)."""
        raise NotImplementedError

    @property
    def requires_sign_in(self) -> bool:
        return True


class _ByPresence(Access):
    """A policy that asks only whether there is a verified token: its answers are class data."""

    anonymous: ClassVar[bool]
    signed_in: ClassVar[bool]
    condition: ClassVar[str]
    sentence: ClassVar[str]

    def allows(self, claims: Mapping[str, Any] | None, path_params: Mapping[str, str]) -> bool:
        return self.signed_in if claims is not None else self.anonymous

    def rules_condition(self) -> str:
        return self.condition

    def describe(self) -> str:
        return self.sentence

    @property
    def requires_sign_in(self) -> bool:
        return not self.anonymous


@dataclass(frozen=True)
class Closed(_ByPresence):
    """Nobody: what a view without ``Meta.access`` gets (only server code reads it)."""

    anonymous = signed_in = False
    condition = "false"
    sentence = "Closed: no client may access it (no audience declared)."


@dataclass(frozen=True)
class Public(_ByPresence):
    """Anyone, with or without a token."""

    anonymous = signed_in = True
    condition = "true"
    sentence = "Public: no token needed."


@dataclass(frozen=True)
class SignedIn(_ByPresence):
    """Any signed-in user (an account anyone can make: say it only where that is meant)."""

    anonymous, signed_in = False, True
    condition = "request.auth != null"
    sentence = "Any signed-in user (a valid Firebase ID token)."


@dataclass(frozen=True)
class Owner(Access):
    """Only the user whose uid is the path parameter ``param`` (e.g. ``users/{uid}/...``)."""

    param: str = "uid"

    def allows(self, claims: Mapping[str, Any] | None, path_params: Mapping[str, str]) -> bool:
        return claims is not None and claims.get("uid") is not None and claims.get("uid") == path_params.get(self.param)

    def rules_condition(self) -> str:
        return f"request.auth != null && request.auth.uid == {self.param}"

    def describe(self) -> str:
        return f"Only the user whose uid is `{self.param}` in the path."


@dataclass(frozen=True)
class Role(Access):
    """Users whose custom claim ``claim`` equals ``value`` (default: is ``true``)."""

    claim: str
    value: str | bool | int = True

    def allows(self, claims: Mapping[str, Any] | None, path_params: Mapping[str, str]) -> bool:
        return claims is not None and claims.get(self.claim) == self.value

    def rules_condition(self) -> str:
        literal = "true" if self.value is True else "false" if self.value is False else repr(self.value)
        if isinstance(self.value, str):
            literal = '"' + self.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"request.auth != null && request.auth.token.{self.claim} == {literal}"

    def describe(self) -> str:
        return f"Users whose ID token has the custom claim `{self.claim}` = `{json.dumps(self.value)}`."


def closed() -> Access:
    """Nobody but server code (the default; say it to make a view's closedness explicit)."""
    return Closed()


def public() -> Access:
    return Public()


def signed_in() -> Access:
    return SignedIn()


def owner(param: str = "uid") -> Access:
    return Owner(param)


def role(claim: str, value: str | bool | int = True) -> Access:
    if not claim.isidentifier():
        raise UsageError(f"role(): custom claim name {claim!r} must be an identifier.")
    return Role(claim, value)


def access_of(view_cls: type) -> Access:
    """The declared policy of a view model (``Meta.access``); :class:`Closed` when undeclared."""
    policy = meta_option(view_cls, "access")
    if policy is None:
        return Closed()
    if not isinstance(policy, Access):
        raise ModelDefinitionError(
            f"{view_cls.__name__}.Meta.access must be public(), signed_in(), owner(), role() or closed()."
        )
    return policy
