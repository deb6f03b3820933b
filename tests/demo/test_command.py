"""`waggle demo`: generates, prints how to log in, and refuses to run twice without --append."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from waggle.exchange.models import Post
from waggle.people.models import User


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--people", "50", "--seed", "3", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_demo_prints_the_logins_and_the_password(db: Any) -> None:
    output = run_demo("--posts", "300")
    assert Post.objects.count() == 300
    assert User.objects.count() == 50
    for username in ("ada", "mira", "hana", "gita", "eve"):
        assert f"  {username} " in output
    # Who knows what and the organization's insights are there from the start.
    from waggle.expertise.models import Expertise
    from waggle.insights.access import can_see_org_insights
    from waggle.insights.models import InsightsSnapshot

    assert Expertise.objects.exists()
    assert InsightsSnapshot.objects.exists()
    assert can_see_org_insights(User.objects.get(username="eve"))
    assert not can_see_org_insights(User.objects.get(username="ada"))
    assert "waggle-demo" in output
    assert "http://127.0.0.1:8000/" in output
    assert "bridges between departments" in output


def test_demo_refuses_a_second_run_unless_appending(db: Any) -> None:
    run_demo("--quiet")
    posts = Post.objects.count()
    with pytest.raises(CommandError, match="already holds .* posts.*--append"):
        run_demo("--quiet")
    assert Post.objects.count() == posts
    output = run_demo("--quiet", "--append")
    assert Post.objects.count() == 2 * posts
    assert "Generated a demo organization" in output
    assert "waggle-demo" not in output  # --quiet prints one line


def test_demo_explains_what_it_cannot_build(db: Any) -> None:
    with pytest.raises(CommandError, match="at least 40 people"):
        call_command("demo", "--people", "5", stdout=StringIO())
