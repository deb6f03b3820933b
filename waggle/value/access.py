"""Permissioned reads for value reports and kudos: visible when the item is visible."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from waggle.spaces.access import visible_spaces
from waggle.value.models import Kudos, ValueReport


def _item_visible(user: Any) -> Q:
    spaces = visible_spaces(user).values("id")
    return Q(post__space__in=spaces) | Q(comment__post__space__in=spaces)


def visible_value_reports(user: Any) -> QuerySet[ValueReport]:
    return ValueReport.objects.filter(_item_visible(user))


def visible_kudos(user: Any) -> QuerySet[Kudos]:
    return Kudos.objects.filter(_item_visible(user))
