"""Errors raised by actions and access helpers; adapters turn them into 404/403/400."""

from __future__ import annotations


class WaggleError(Exception):
    """Base of every error an action or access helper raises on purpose."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(WaggleError):
    """The thing does not exist, or the viewer may not know that it exists."""

    status = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)


class NotAllowed(WaggleError):
    """The viewer can see the thing but may not do this to it."""

    status = 403


class Invalid(WaggleError):
    """The input breaks a rule; `field` names the offending field when there is one."""

    status = 400
