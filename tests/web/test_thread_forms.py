"""The per-item forms of a question page (value, kudos, comment), written as plain HTML: they
carry the same fields as the Django forms that check them, come filled in with the viewer's
own report, and work as they are written, without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.template.loader import render_to_string
from django.test import Client

from tests.web.conftest import Thread, text_of
from waggle.exchange.models import Comment
from waggle.people.models import User
from waggle.value.models import Kudos, ValueReport
from waggle.web.forms import CommentForm, KudosForm, ValueForm


@dataclass
class Form:
    action: str
    controls: list[dict[str, str | None]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # element id -> label text


class Forms(HTMLParser):
    """The POST forms of a page: their action, controls (without the CSRF token) and the
    label text of each control."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.label_for: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post":
            self.form = Form(action=a.get("action") or "")
            self.forms.append(self.form)
        elif self.form is not None and tag in ("input", "textarea", "select"):
            if a.get("name") != "csrfmiddlewaretoken":
                self.form.controls.append({"tag": tag, **a})
        elif self.form is not None and tag == "label":
            self.label_for = a.get("for")
            if self.label_for:
                self.form.labels[self.label_for] = ""

    def handle_data(self, data: str) -> None:
        if self.form is not None and self.label_for:
            self.form.labels[self.label_for] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.label_for = None
        elif tag == "form":
            self.form = None


def forms_of(html: str) -> dict[str, Form]:
    parser = Forms()
    parser.feed(html)
    return {f.action: f for f in parser.forms}


def django_controls(form: Any, *names: str) -> Form:
    """What the Django form renders for these fields (the way the page rendered it before,
    and still does when a submission comes back with errors)."""
    html = "".join(
        render_to_string("web/includes/field.html", {"field": form[name]}) for name in names
    )
    return forms_of(f'<form method="post" action="x">{html}</form>')["x"]


def same_controls(page: Form, expected: Form) -> None:
    def normal(control: dict[str, str | None]) -> dict[str, str | None]:
        # Django writes `cols` on every textarea; the stylesheet sizes them anyway.
        return {k: (v.strip() if v else v) for k, v in control.items() if k != "cols"}

    assert [normal(c) for c in page.controls] == [normal(c) for c in expected.controls]
    assert {k: " ".join(v.split()) for k, v in page.labels.items()} == {
        k: " ".join(v.split()) for k, v in expected.labels.items()
    }


def test_plain_forms_carry_what_the_django_forms_render(
    thread: Thread, host: User, member_client: Client, host_client: Client
) -> None:
    answer, comment = thread.answer, thread.comment
    # The host has reported nothing: empty forms.
    forms = forms_of(text_of(host_client.get(f"/posts/{thread.question.pk}/")))
    same_controls(forms[f"/posts/{answer.pk}/value/"], django_controls(
        ValueForm(auto_id=f"id_post{answer.pk}_%s"), "kinds", "minutes_saved", "note"))
    same_controls(forms[f"/comments/{comment.pk}/value/"], django_controls(
        ValueForm(auto_id=f"id_comment{comment.pk}_%s"), "kinds", "minutes_saved", "note"))
    same_controls(forms[f"/posts/{answer.pk}/kudos/"], django_controls(
        KudosForm(auto_id=f"id_post{answer.pk}_kudos_%s"), "message"))
    same_controls(forms[f"/posts/{answer.pk}/comment/"], django_controls(
        CommentForm(auto_id=f"id_post{answer.pk}_comment_%s"), "body"))

    # The member reported that the answer solved a problem and saved 90 minutes: their form
    # to change it starts from that.
    forms = forms_of(text_of(member_client.get(f"/posts/{thread.question.pk}/")))
    mine = ValueForm(auto_id=f"id_post{answer.pk}_%s", initial={
        "kinds": ["solved_problem"], "minutes_saved": 90, "note": ""})
    same_controls(forms[f"/posts/{answer.pk}/value/"],
                  django_controls(mine, "kinds", "minutes_saved", "note"))


def submit(client: Client, form: Form, values: dict[str, Any]) -> Any:
    """Post the form the way a browser without JavaScript would: its action, its names."""
    names = {c["name"] for c in form.controls}
    assert set(values) <= names, f"{set(values) - names} are not fields of {form.action}"
    return client.post(form.action, values)


def test_each_plain_form_works_as_written_without_javascript(
    thread: Thread, host: User, host_client: Client
) -> None:
    page = f"/posts/{thread.question.pk}/"
    forms = forms_of(text_of(host_client.get(page)))
    answer, comment = thread.answer, thread.comment

    done = submit(host_client, forms[f"/posts/{answer.pk}/value/"],
                  {"kinds": ["saved_time"], "minutes_saved": "15", "note": "quick"})
    assert done.status_code == 302 and done["Location"].startswith(page)
    report = ValueReport.objects.get(reporter=host, post=answer)
    assert report.saved_time and report.minutes_saved == 15 and report.note == "quick"

    submit(host_client, forms[f"/comments/{comment.pk}/value/"],
           {"kinds": ["learned_something"]})
    assert ValueReport.objects.filter(reporter=host, comment=comment).exists()

    submit(host_client, forms[f"/comments/{comment.pk}/kudos/"],
           {"message": "Good point"})
    assert Kudos.objects.filter(giver=host, comment=comment).exists()

    submit(host_client, forms[f"/posts/{answer.pk}/comment/"], {"body": "Me too"})
    assert Comment.objects.filter(author=host, post=answer, body="Me too").exists()

    # A form sent back with an error is the Django form, with the message by the field.
    wrong = submit(host_client, forms[f"/posts/{answer.pk}/kudos/"], {"message": ""})
    assert wrong.status_code == 400
    assert f'id="id_post{answer.pk}_kudos_message_error"' in text_of(wrong)
