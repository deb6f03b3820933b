"""The search page's form: reads `?q=&space=&kind=&...` and says which values it could not use.

A search is a GET link people bookmark and share, so a bad value (a mistyped date, a space that
is gone) never stops the search: the form names the problem and the search runs without it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet

from waggle.search.models import SearchEntry
from waggle.search.query import SearchFilters
from waggle.spaces.models import Space

MAX_QUERY_CHARS = 300
MAX_PAGE = 1000  # 20 000 results at 20 a page; nobody reads further, and OFFSET stays cheap
ANSWERED = {"yes": True, "no": False}
PEOPLE = "people"  # a kind of result that is no post: found by `search.people`
# Filters that only posts have: with any of them set, no person is listed.
POST_FILTERS = ("space", "topic", "author", "since", "until", "answered")
ORDERS = (("relevance", "Best match"), ("newest", "Newest first"))
DATE_ERRORS = {"invalid": "Give the date as YYYY-MM-DD, for example 2025-03-31."}


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, input_formats=["%Y-%m-%d"], error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search for", required=False, max_length=MAX_QUERY_CHARS,
        error_messages={"max_length": f"Search for at most {MAX_QUERY_CHARS} characters."},
        widget=forms.TextInput(attrs={
            "type": "search", "placeholder": 'Words, "a phrase", this OR that, -not',
            "autocomplete": "off",
        }),
    )
    space = forms.ChoiceField(
        label="Space", required=False,
        error_messages={"invalid_choice": "You have no space “%(value)s” to search in."},
    )
    kind = forms.MultipleChoiceField(
        label="Kinds", required=False, choices=[*SearchEntry.Kind.choices, (PEOPLE, "People")],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "“%(value)s” is not a kind of result: choose from "
                        "question, answer, update, lesson, comment and people."},
    )
    topic = forms.CharField(label="Topic", required=False, max_length=60,
                            widget=forms.TextInput(attrs={"placeholder": "e.g. postgres"}))
    author = forms.CharField(label="Author", required=False, max_length=150,
                             widget=forms.TextInput(attrs={"placeholder": "username"}))
    since = _date_field("From")
    until = _date_field("To")
    answered = forms.ChoiceField(
        label="Answered", required=False,
        choices=(("", "Either"), ("yes", "Answered"), ("no", "Not answered yet")),
        error_messages={"invalid_choice": "Answered is “yes”, “no” or left empty."},
    )
    order = forms.ChoiceField(
        label="Order", required=False, choices=ORDERS,
        error_messages={"invalid_choice": "Order is “relevance” or “newest”."},
    )
    page = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE,
        error_messages={key: f"The page is a whole number from 1 to {MAX_PAGE}."
                        for key in ("invalid", "min_value", "max_value")},
    )

    def __init__(self, data: Any, *, spaces: QuerySet[Space], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        choices = [("", "All your spaces"), *spaces.values_list("slug", "name")]
        self.fields["space"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data

    def _valid(self, name: str) -> Any:
        """The field's value when it is usable, else None (a bad value is left out)."""
        if name in self.errors:
            return None
        return self.cleaned_data.get(name) or None

    @property
    def text(self) -> str:
        return str(self._valid("q") or "")

    @property
    def ordering(self) -> str:
        return str(self._valid("order") or "relevance")

    @property
    def page_number(self) -> int:
        return int(self._valid("page") or 1)

    def filters(self) -> SearchFilters:
        answered = self._valid("answered")
        since: dt.date | None = self._valid("since")
        until: dt.date | None = self._valid("until")
        return SearchFilters(
            space=self._valid("space"), kinds=self.post_kinds,
            topic=self._valid("topic"), author=self._valid("author"), since=since,
            until=until, answered=ANSWERED.get(answered) if answered else None,
        )

    @property
    def post_kinds(self) -> list[str]:
        return [kind for kind in self._valid("kind") or () if kind != PEOPLE]

    @property
    def people_only(self) -> bool:
        """Only people asked for (`kind=people`): no posts, the people in pages."""
        return bool(self._valid("kind")) and not self.post_kinds

    @property
    def with_people(self) -> bool:
        """Whether people are searched: no kind chosen or people among them, and no filter
        that only posts have (a person has no space, date or answer)."""
        kinds = self._valid("kind") or ()
        return (not kinds or PEOPLE in kinds) and (
            self.people_only or not any(self._valid(name) for name in POST_FILTERS))

    def problems(self) -> list[str]:
        """Each value that could not be used, as "Label: what is wrong"."""
        return [
            f"{self.fields[name].label or name.title()}: {message}" if name != "__all__"
            else str(message)
            for name, messages in self.errors.items() for message in messages
        ]

    @property
    def has_filters(self) -> bool:
        """Whether anything beyond the words narrows the search (the filters start open)."""
        return any(self._valid(name) for name in
                   ("space", "kind", "topic", "author", "since", "until", "answered"))
