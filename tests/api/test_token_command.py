"""`waggle token create|list|revoke` manages the same tokens the API accepts."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.api.client import ApiClient
from waggle.people.models import User


def _run(*args: str) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_create_list_revoke(member: User) -> None:
    secret = _run("create", "mira", "nightly export").strip()
    api = ApiClient(member, token=secret)
    assert api.get("/api/me").json()["username"] == "mira"
    prefix = secret.split("_")[1]
    listing = _run("list", "mira")
    assert prefix in listing and "active" in listing and "nightly export" in listing
    assert "revoked" in _run("revoke", prefix)
    assert api.get("/api/me").status_code == 401
    assert "revoked" in _run("list", "mira")


def test_revoke_accepts_the_whole_token(member: User) -> None:
    secret = _run("create", "mira", "script").strip()
    _run("revoke", secret)
    assert ApiClient(member, token=secret).get("/api/me").status_code == 401


def test_errors_are_clear(member: User) -> None:
    with pytest.raises(CommandError, match="No person"):
        _run("create", "nobody", "x")
    with pytest.raises(CommandError, match="No token"):
        _run("revoke", "abcdef123456")
    with pytest.raises(CommandError, match="name"):
        _run("create", "mira", "   ")
