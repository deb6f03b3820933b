"""Template helpers of the web UI: value told in words, unread notifications, page links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.timesince import timesince

from waggle.notify.models import Notification
from waggle.value.impact import ValueSummary

register = template.Library()

# (field, what one person says, what several people say)
_VALUE_PHRASES = (
    ("solved_problem", "says this solved a problem", "say this solved a problem"),
    ("saved_time", "says it saved time", "say it saved time"),
    ("learned_something", "learned something", "learned something"),
    ("changed_practice", "changed how they work", "changed how they work"),
)


@register.filter
def duration(minutes: int | None) -> str:
    """90 -> "~90 min", 150 -> "~2.5 h", 3000 -> "~50 h"."""
    if not minutes:
        return ""
    if minutes < 120:
        return f"~{minutes} min"
    hours = minutes / 60
    return f"~{hours:.1f} h".replace(".0 h", " h") if hours < 10 else f"~{round(hours)} h"


@register.filter
def ago(when: dt.datetime | None) -> str:
    """ "just now", "5 minutes ago", "3 days ago"."""
    if when is None:
        return ""
    if (timezone.now() - when).total_seconds() < 60:
        return "just now"
    return f"{timesince(when, depth=1)} ago"


@register.filter
def value_words(summary: ValueSummary | None) -> str:
    """ "3 colleagues say this solved a problem, 1 learned something · ~90 min saved".

    Words, not a counter: told on the item only, never used to rank people.
    """
    if not summary:
        return ""
    parts = []
    first = True
    for name, one, many in _VALUE_PHRASES:
        n = getattr(summary, name)
        if not n:
            continue
        who = ("1 colleague" if n == 1 else f"{n} colleagues") if first else str(n)
        parts.append(f"{who} {one if n == 1 else many}")
        first = False
    text = ", ".join(parts)
    if summary.minutes_saved:
        text += f" · {duration(summary.minutes_saved)} saved"
    return text


@register.filter
def report_words(report: Any) -> str:
    """The viewer's own report: "solved a problem, saved time (~30 min)"."""
    if report is None:
        return ""
    text = ", ".join(report.kinds)
    if report.minutes_saved:
        text += f" ({duration(report.minutes_saved)})"
    return text


@register.simple_tag
def unread_notifications(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


@register.simple_tag(takes_context=True)
def page_link(context: Any, page: Any, direction: str) -> str | None:
    """The URL of the older ("after") or newer ("before") page, keeping the filters."""
    return page.link(context["request"].GET, direction)


@register.simple_tag(takes_context=True)
def first_page_link(context: Any, page: Any) -> str:
    return page.first_link(context["request"].GET)


@register.filter
def excerpt(html: str, length: int = 220) -> str:
    """Plain-text start of rendered markdown, for lists."""
    return Truncator(" ".join(strip_tags(html).split())).chars(length)


@register.filter
def initials(person: Any) -> str:
    name = getattr(person, "name", "") or "?"
    letters = [w[0] for w in name.replace(".", " ").split() if w[:1].isalnum()]
    return ("".join(letters[:2]) or name[:1]).upper()


@register.filter
def avatar_hue(person: Any) -> int:
    """A stable colour for a person's initials, so faces are told apart at a glance."""
    return (getattr(person, "pk", 0) or 0) * 47 % 360

