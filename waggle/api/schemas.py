"""Typed request and response bodies of the REST API (what the OpenAPI document shows)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, TypeVar

from django.urls import reverse
from ninja import Field, Schema
from pydantic import BeforeValidator, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from waggle.value.actions import MAX_MINUTES_SAVED

MAX_BIGINT = 2**63 - 1
# An id in a request body: a positive 64-bit integer (anything else is a 422, never a 500).
Id = Annotated[int, Field(ge=1, le=MAX_BIGINT)]
ShortText = Annotated[str, Field(max_length=300)]
LongText = Annotated[str, Field(max_length=50_000)]
TopicNames = Annotated[list[Annotated[str, Field(max_length=60)]], Field(max_length=10)]

T = TypeVar("T")


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError(
            "null_not_allowed", "Leave the field out to keep it as it is; null is not a value."
        )
    return value


class _NullNotDocumented:
    """Documents a `T | None` field as plain `T`: the None is only the left-out default."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema: Any = core_schema
        while schema["type"] != "nullable":  # under the validators sits the `T | None`
            schema = schema["schema"]
        return handler(schema["schema"])


# A field of a partial update (PATCH): left out, it is None and the endpoint drops it
# (`exclude_unset`). An explicit null is a 422 and the OpenAPI document shows the plain type,
# because null would read as "clear it", which these fields do not do.
Patch = Annotated[T | None, _NullNotDocumented(), BeforeValidator(_refuse_null)]

PostKind = Literal["question", "answer", "update", "lesson"]
SpaceVisibility = Literal["open", "private", "external"]
SpaceKind = Literal["community", "team", "department", "project"]


class Message(Schema):
    """Every error answer: what went wrong, and which input field it is about (or null)."""

    detail: str
    field: str | None = None


# People -------------------------------------------------------------------------------------


class PersonRef(Schema):
    username: str
    name: str


class PersonOut(PersonRef):
    title: str
    department: str | None
    team: str | None
    location: str
    bio: str
    skills: list[str]
    open_to_mentoring: bool
    is_guest: bool

    @staticmethod
    def resolve_department(obj: Any) -> str | None:
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_team(obj: Any) -> str | None:
        return obj.team.name if obj.team_id else None

    @staticmethod
    def resolve_skills(obj: Any) -> list[str]:
        return [t.name for t in obj.skills.all()]


class MeOut(PersonOut):
    """Your own profile, with the privacy choices only you see."""

    email: str
    display_name: str
    opt_out_harvest: bool
    opt_out_analytics: bool
    share_impact: bool


class ProfileIn(Schema):
    """Fields to change; leave out what stays as it is."""

    display_name: Patch[Annotated[str, Field(max_length=150)]] = None
    title: Patch[Annotated[str, Field(max_length=150)]] = None
    location: Patch[Annotated[str, Field(max_length=150)]] = None
    bio: Patch[Annotated[str, Field(max_length=5000)]] = None
    skills: Patch[TopicNames] = None
    open_to_mentoring: Patch[bool] = None
    opt_out_harvest: Patch[bool] = None
    opt_out_analytics: Patch[bool] = None
    share_impact: Patch[bool] = None


# Spaces -------------------------------------------------------------------------------------


class SpaceRef(Schema):
    slug: str
    name: str


class SpaceOut(SpaceRef):
    id: int
    description: str
    visibility: SpaceVisibility
    kind: SpaceKind
    created_at: dt.datetime
    member_count: int
    role: Literal["member", "host"] | None = Field(
        description="Your role in the space, or null when you are not a member."
    )

    @staticmethod
    def resolve_role(obj: Any) -> str | None:
        return getattr(obj, "viewer_role", None)


class SpaceIn(Schema):
    name: str = Field(max_length=120)
    description: str = Field("", max_length=5000)
    visibility: SpaceVisibility = "open"
    kind: SpaceKind = "community"


class InvitationIn(Schema):
    username: str = Field(max_length=150)


class InvitationOut(Schema):
    space: SpaceRef
    invitee: PersonRef
    status: Literal["pending", "accepted", "declined"]
    created_at: dt.datetime


# Posts, answers, comments -------------------------------------------------------------------


class PostRef(Schema):
    id: int
    kind: PostKind
    title: str


class PostOut(PostRef):
    space: SpaceRef
    author: PersonRef | None = Field(description="Null for anonymous questions.")
    anonymous: bool
    body: str
    body_html: str
    tried: str
    happened: str
    next_time: str
    topics: list[str]
    question_id: int | None
    accepted_answer_id: int | None
    answer_count: int
    comment_count: int
    created_at: dt.datetime
    updated_at: dt.datetime
    last_activity_at: dt.datetime

    @staticmethod
    def resolve_author(obj: Any) -> Any:
        # Belt and braces: an anonymous question never names its asker, whatever the row says.
        return None if obj.is_anonymous else obj.author

    @staticmethod
    def resolve_anonymous(obj: Any) -> bool:
        return bool(obj.is_anonymous)

    @staticmethod
    def resolve_topics(obj: Any) -> list[str]:
        return [t.name for t in obj.topics.all()]


class LinkedPostOut(Schema):
    id: int
    kind: PostKind
    title: str = Field(description="An answer shows its question's title.")
    url: str = Field(description="The post's page in the web app (a path on this server).")

    @staticmethod
    def resolve_url(obj: Any) -> str:
        url = reverse("web:post", args=[obj.thread_id])
        return f"{url}#post-{obj.id}" if obj.question_id else url


class PostLinkOut(Schema):
    kind: Literal["duplicate_of", "duplicated_by", "related"] = Field(
        description="duplicate_of: this post duplicates `post`; duplicated_by: `post` "
        "duplicates this one; related: either way."
    )
    post: LinkedPostOut


class PostDetail(PostOut):
    """A post with its links to posts you may see (newest first, at most 10 of each kind)."""

    links: list[PostLinkOut]

    @staticmethod
    def resolve_links(obj: Any) -> list[Any]:
        # `Post.links` is the related manager of outgoing links; the endpoint attaches the
        # links read through the gate, both directions, as `shown_links`.
        return list(obj.shown_links)


class QuestionIn(Schema):
    title: ShortText
    body: LongText = ""
    topics: TopicNames = Field(default_factory=list)
    anonymous: bool = Field(False, description="Hide who asked from everyone, hosts included.")


class UpdateIn(Schema):
    body: LongText
    title: ShortText = ""
    topics: TopicNames = Field(default_factory=list)


class LessonIn(Schema):
    title: ShortText
    tried: LongText
    happened: LongText
    next_time: LongText
    topics: TopicNames = Field(default_factory=list)


class PostPatch(Schema):
    """Fields to change; leave out what stays as it is."""

    title: Patch[ShortText] = None
    body: Patch[LongText] = None
    tried: Patch[LongText] = None
    happened: Patch[LongText] = None
    next_time: Patch[LongText] = None
    topics: Patch[TopicNames] = None


class AnswerIn(Schema):
    body: LongText


class AcceptIn(Schema):
    answer_id: Id | None = Field(description="The answer to accept; null takes it back.")


class CommentIn(Schema):
    body: LongText


class CommentOut(Schema):
    id: int
    post_id: int
    author: PersonRef | None
    body: str
    body_html: str
    created_at: dt.datetime


# Value and kudos ----------------------------------------------------------------------------


class ValueIn(Schema):
    """How it helped you: at least one kind, optionally the minutes it saved."""

    solved_problem: bool = False
    saved_time: bool = False
    learned_something: bool = False
    changed_practice: bool = False
    minutes_saved: int | None = Field(None, ge=0, le=MAX_MINUTES_SAVED)
    note: str = Field("", max_length=2000)


class ValueReportOut(Schema):
    """Your own value report."""

    solved_problem: bool
    saved_time: bool
    learned_something: bool
    changed_practice: bool
    minutes_saved: int | None
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ValueSummary(Schema):
    """How many people said this helped, by kind, and the minutes they saved; never who."""

    reports: int
    solved_problem: int
    saved_time: int
    learned_something: int
    changed_practice: int
    minutes_saved: int
    mine: ValueReportOut | None


class KudosIn(Schema):
    post_id: Id | None = None
    comment_id: Id | None = None
    message: str = Field(max_length=1000)


class KudosOut(Schema):
    id: int
    giver: PersonRef
    receiver: PersonRef
    post_id: int | None
    comment_id: int | None
    message: str
    created_at: dt.datetime


# Topics and follows -------------------------------------------------------------------------


class TopicOut(Schema):
    name: str
    description: str
    created_at: dt.datetime


class TopicDetail(TopicOut):
    following: bool


class FollowIn(Schema):
    """Exactly one of: a person (username), a space (slug) or a topic (name)."""

    person: str | None = Field(None, max_length=150)
    space: str | None = Field(None, max_length=120)
    topic: str | None = Field(None, max_length=60)


class FollowOut(Schema):
    id: int
    person: PersonRef | None
    space: SpaceRef | None
    topic: str | None
    created_at: dt.datetime

    @staticmethod
    def resolve_topic(obj: Any) -> str | None:
        return obj.topic.name if obj.topic_id else None


# Notifications ------------------------------------------------------------------------------


class NotificationOut(Schema):
    id: int
    verb: str
    text: str
    actor: PersonRef | None
    post: PostRef | None
    space: SpaceRef | None
    created_at: dt.datetime
    read: bool

    @staticmethod
    def resolve_text(obj: Any) -> str:
        return str(obj.get_verb_display())

    @staticmethod
    def resolve_read(obj: Any) -> bool:
        return obj.read_at is not None


class ReadIn(Schema):
    ids: list[Id] | None = Field(
        None, max_length=1000, description="Notifications to mark read; null marks all."
    )


class ReadOut(Schema):
    marked: int


# Search -------------------------------------------------------------------------------------

SearchKind = Literal["question", "answer", "update", "lesson", "comment"]


class SearchHit(Schema):
    """One result. The HTML fields are escaped text whose matched words are in <mark>."""

    kind: SearchKind
    post_id: int = Field(description="The post found, or the post a comment is on.")
    thread_id: int = Field(description="The question of an answer, else the post itself.")
    comment_id: int | None = Field(description="Set when the result is a comment.")
    space: str = Field(description="The space's slug.")
    title_html: str = Field(description="The title of the thread (answers and comments show "
                            "their thread's).")
    snippet_html: str = Field(description="The passage of the text that matched.")
    author: str | None = Field(description="Username; null for anonymous questions.")
    created_at: dt.datetime
    url: str = Field(description="The result on its thread's page in the web app (a path on "
                     "this server, with #post-ID or #comment-ID).")


class SearchPage(Schema):
    """One page of what you may see that matches `query`; `total` counts only that."""

    query: str
    total: int
    total_capped: bool = Field(description="True when more than `total` posts match: a "
                               "query matching that many is ranked and counted over its "
                               "newest `total` matches.")
    page: int
    pages: int
    engine: str = Field(description="The full-text engine that answered (SQLite FTS5 or "
                        "PostgreSQL full text).")
    ranking: str = Field(description="`hybrid`: by words and meaning, and posts near in "
                         "meaning are found without sharing a word (counted in `total`); "
                         "`lexical`: by words only (semantic ranking off, a query with "
                         "phrases, OR or -word, or newest first).")
    results: list[SearchHit]


# Tokens -------------------------------------------------------------------------------------


class TokenOut(Schema):
    prefix: str
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenIn(Schema):
    name: str = Field(max_length=100)


class TokenCreated(TokenOut):
    token: str = Field(description="The secret: shown once, store it now.")
