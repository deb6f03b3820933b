"""Everything a post page shows, read in a fixed number of queries however long the thread.

A thread is a question with its answers, or an update or lesson on its own; every post in it
has comments, and every post and comment has a value summary, the viewer's own value report,
kudos, and the forms the viewer may use on it. The thread's post also has its links (duplicate
of, duplicates, related posts), read through the gate by `exchange.links`.

The per-item forms (value, kudos, comment) are written as plain HTML by the templates from
what is attached here; a Django form is attached to an item only when a submission came back
with errors, so the page shows the person's input and the messages next to the fields.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from waggle.exchange.access import can_accept_answer, can_edit_post
from waggle.exchange.links import PostLinks, linked_posts
from waggle.exchange.models import Comment, Post
from waggle.people.models import User
from waggle.spaces.access import roles_in
from waggle.value.impact import item_value_summaries, own_reports
from waggle.value.models import Kudos
from waggle.web.forms import AnswerForm, KudosForm, ValueForm

# What the templates show of a person (name, link, title): the rest of the row stays unread.
PERSON_SHOWN = ("username", "display_name", "first_name", "last_name", "title")
PERSON_UNREAD = tuple(
    f.name for f in User._meta.concrete_fields if f.name not in {"id", *PERSON_SHOWN}
)


def _unread(relation: str) -> list[str]:
    return [f"{relation}__{name}" for name in PERSON_UNREAD]


@dataclass(frozen=True)
class FormLimits:
    """The bounds the plain-HTML forms carry, read from the form classes so they agree."""

    # Text, not numbers: a template renders a number through the locale machinery, and these
    # are written dozens of times per page. (name, label, position) for each kind.
    value_kinds: tuple[tuple[str, str, str], ...] = tuple(
        (name, label, str(i)) for i, (name, label) in enumerate(ValueForm.KIND_CHOICES)
    )
    max_minutes_saved: str = str(ValueForm.base_fields["minutes_saved"].max_value)  # type: ignore[attr-defined]
    note_max_length: str = str(ValueForm.base_fields["note"].max_length)  # type: ignore[attr-defined]
    kudos_max_length: str = str(KudosForm.base_fields["message"].max_length)  # type: ignore[attr-defined]


FORM_LIMITS = FormLimits()


@dataclass
class Thread:
    post: Post
    answers: list[Post] = field(default_factory=list)
    can_post: bool = False
    can_accept: bool = False
    can_edit: bool = False
    can_mark_duplicate: bool = False
    answer_form: AnswerForm | None = None
    # Duplicate of, duplicates and related posts, each one the viewer may see.
    links: PostLinks = field(default_factory=PostLinks)
    limits: FormLimits = FORM_LIMITS

    @property
    def items(self) -> list[Post]:
        return [self.post, *self.answers]

    def find_post(self, post_id: int) -> Post | None:
        return next((p for p in self.items if p.pk == post_id), None)

    def find_comment(self, comment_id: int) -> Comment | None:
        for item in self.items:
            for comment in item.comment_list:  # type: ignore[attr-defined]
                if comment.pk == comment_id:
                    return comment
        return None


def _decorate(item: Any, kind: str, viewer: Any, summaries: Any, mine: Any, kudos: Any) -> None:
    """Attach what the templates need to one post or comment."""
    key = (kind, item.pk)
    item.item_kind = kind
    item.form_key = f"{kind}{item.pk}"  # the forms' element ids: id_post12_note, ...
    item.value_summary = summaries.get(key)
    item.my_report = mine.get(key)
    # The viewer's report fills the value form in when they change it.
    item.my_kinds = (
        [name for name, _ in ValueForm.KIND_CHOICES if getattr(item.my_report, name)]
        if item.my_report is not None else []
    )
    item.kudos_list = kudos.get(key, [])
    # Nobody reports value on, or thanks, their own contribution; anonymous items have nobody
    # to thank.
    item.is_own = item.author_id is not None and item.author_id == viewer.pk
    updated = getattr(item, "updated_at", None)
    item.is_edited = updated is not None and (updated - item.created_at).total_seconds() > 60


def build_thread(viewer: Any, post: Post) -> Thread:
    """The thread of `post` (a question, update or lesson the viewer may see).

    The caller read `post` through `access_post`; its answers and comments are in the same
    space, so everything below is read by the thread's ids without going through the gate
    again.
    """
    thread = Thread(post=post)
    if post.kind == Post.Kind.QUESTION:
        answers = list(
            Post.objects.filter(question_id=post.pk).select_related("author")
            .defer(*_unread("author")).order_by("created_at", "id")
        )
        # The accepted answer comes first; the others stay in the order they were given.
        answers.sort(key=lambda a: a.pk != post.accepted_answer_id)
        thread.answers = answers
    items = thread.items
    post_ids = [p.pk for p in items]

    comments_by_post: dict[int, list[Comment]] = defaultdict(list)
    for comment in (
        Comment.objects.filter(post_id__in=post_ids).select_related("author")
        .defer(*_unread("author")).order_by("created_at", "id")
    ):
        comments_by_post[comment.post_id].append(comment)
    comment_ids = [c.pk for cs in comments_by_post.values() for c in cs]

    summaries = item_value_summaries(viewer, post_ids=post_ids, comment_ids=comment_ids)
    mine = own_reports(viewer, post_ids=post_ids, comment_ids=comment_ids)
    kudos: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for k in (
        Kudos.objects.filter(Q(post_id__in=post_ids) | Q(comment_id__in=comment_ids))
        .select_related("giver").defer(*_unread("giver")).order_by("created_at", "id")
    ):
        if k.post_id is not None:
            kudos[("post", k.post_id)].append(k)
        else:  # a check constraint: kudos are for exactly one post or comment
            assert k.comment_id is not None
            kudos[("comment", k.comment_id)].append(k)

    thread.links = linked_posts(viewer, post)
    thread.can_post, hosting = roles_in(viewer, post.space)
    thread.can_accept = post.kind == Post.Kind.QUESTION and can_accept_answer(viewer, post)
    thread.can_edit = can_edit_post(viewer, post)
    thread.can_mark_duplicate = post.kind == Post.Kind.QUESTION and hosting
    if post.kind == Post.Kind.QUESTION:
        thread.answer_form = AnswerForm(auto_id="id_answer_%s")
    for item in items:
        _decorate(item, "post", viewer, summaries, mine, kudos)
        item.comment_list = comments_by_post.get(item.pk, [])  # type: ignore[attr-defined]
        item.is_accepted = item.pk == post.accepted_answer_id  # type: ignore[attr-defined]
        # An answer's author edits it; checked without a query since answers have authors.
        item.can_edit = (  # type: ignore[attr-defined]
            thread.can_edit if item is post
            else item.author_id is not None and can_edit_post(viewer, item)
        )
        for comment in item.comment_list:  # type: ignore[attr-defined]
            _decorate(comment, "comment", viewer, summaries, mine, kudos)
    return thread
