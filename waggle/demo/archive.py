"""A demo on a real archive: import it, then open a few of its people as demo logins."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Q

from waggle.core import audit
from waggle.demo.generator import DEMO_PASSWORD
from waggle.people.models import User


def do_open_demo_logins(source: str, *, acting_user: Any = None) -> dict[str, str]:
    """Give the demo password to up to three people imported from `source`: the one whose
    answers solved most problems, the one who asked most, and the one who wrote most updates.
    Returns {username: why they were chosen}. Only for demos: it makes accounts usable."""
    imported = User.objects.filter(source=source, is_active=True)
    picks: dict[str, str] = {}
    choices = [
        ("helper", Count("value_received", filter=Q(value_received__harvested=True)),
         "their answers solved the most problems"),
        ("asker", Count("posts", filter=Q(posts__kind="question")), "asked the most questions"),
        ("sharer", Count("posts", filter=Q(posts__kind="update")), "shared the most updates"),
    ]
    with transaction.atomic():
        for _, measure, why in choices:
            person = (
                imported.exclude(username__in=picks).annotate(n=measure).filter(n__gt=0)
                .order_by("-n", "pk").first()
            )
            if person is None:
                continue
            person.password = make_password(DEMO_PASSWORD)
            person.save(update_fields=["password"])
            audit.record(acting_user, "demo.open_login", person, reason=why)
            picks[person.username] = why
    return picks
