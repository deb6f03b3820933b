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
    accept_routed_questions: bool = Field(
        description="Whether Waggle may invite you to answer questions it thinks you know about."
    )
    routed_questions_per_week: int = Field(
        description="At most this many such invitations in any seven days (0 to 50)."
    )


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
    accept_routed_questions: Patch[bool] = None
    # The range is checked by the action, so that 51 gets its sentence ("Between 0 and 50 a
    # week.") as a 400 like any other broken rule, not a schema error.
    routed_questions_per_week: Patch[int] = Field(
        None, description="0 to 50: at most this many routed questions in any seven days."
    )


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
    route: bool = Field(
        True,
        description="Let Waggle invite a few people likely to know (who can see the question "
        "and accept routed questions) to answer it.",
    )


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


class PersonFound(PersonOut):
    """A person a search found: their profile as the people directory shows it, never a count
    of their posts, likes or activity."""

    knows_about: list[str] = Field(description="Topics their help shows they know most about "
                                   "(from what you may see), else their declared skills.")
    url: str = Field(description="Their profile page in the web app (a path on this server).")


class PeopleSearchPage(Schema):
    """One page of the people you may see that `query` finds, best match first; `total`
    counts only them."""

    query: str
    total: int
    total_capped: bool = Field(description="True when more than `total` people match: the "
                               "count stops there, and so do the pages (the best `total` "
                               "people); add a word to narrow it down.")
    page: int
    pages: int
    results: list[PersonFound]


# Expertise and routing ----------------------------------------------------------------------

InvitationState = Literal["invited", "seen", "declined", "answered"]


class EvidenceOut(Schema):
    """A post that shows the person knows: an answer (accepted or not), an update or a lesson,
    with how it helped. Only posts you may see."""

    post_id: int
    thread_id: int = Field(description="The question of an answer, else the post itself.")
    thread_title: str
    kind: PostKind
    space: str = Field(description="The space's slug.")
    accepted: bool = Field(description="An answer the asker (or a host) accepted.")
    value_reports: int = Field(description="How many people said it helped them.")
    kudos: int
    created_at: dt.datetime
    url: str = Field(description="The post on its thread's page in the web app (a path on "
                     "this server).")

    @staticmethod
    def resolve_post_id(obj: Any) -> int:
        return int(obj.post.pk)

    @staticmethod
    def resolve_thread_id(obj: Any) -> int:
        return int(obj.thread.pk)

    @staticmethod
    def resolve_thread_title(obj: Any) -> str:
        return str(obj.thread.title)

    @staticmethod
    def resolve_kind(obj: Any) -> str:
        return str(obj.post.kind)

    @staticmethod
    def resolve_space(obj: Any) -> str:
        return str(obj.post.space.slug)

    @staticmethod
    def resolve_created_at(obj: Any) -> dt.datetime:
        return obj.post.created_at

    @staticmethod
    def resolve_url(obj: Any) -> str:
        url = reverse("web:post", args=[obj.thread.pk])
        return f"{url}#post-{obj.post.pk}" if obj.post.question_id else url


class SuggestionOut(Schema):
    """A person who knows, best first. Ranked by the evidence you may see, never by votes."""

    person: PersonRef
    topics: list[str] = Field(description="Topics asked about that they have evidence on.")
    declared: list[str] = Field(description="Topics asked about that they list as skills.")
    evidence: list[EvidenceOut] = Field(description="Their strongest evidence (at most 3).")

    @staticmethod
    def resolve_topics(obj: Any) -> list[str]:
        return [t.name for t in obj.topics]

    @staticmethod
    def resolve_declared(obj: Any) -> list[str]:
        return [t.name for t in obj.declared]


class KnownTopicOut(Schema):
    """A topic a person knows about, from the evidence you may see."""

    topic: str
    evidence_count: int = Field(description="Pieces of evidence in spaces you may see "
                                "(answers, acceptances, value reports, kudos, updates, ...).")
    evidence: list[EvidenceOut] = Field(description="The strongest of it (at most 2).")

    @staticmethod
    def resolve_topic(obj: Any) -> str:
        return str(obj.topic.name)


class InvitationCounts(Schema):
    invited: int = Field(description="People invited so far, whatever they did since.")
    seen: int = Field(description="Opened the question and have not answered or declined.")
    declined: int
    answered: int
    rounds: int = Field(description="1 when asked, +1 each time it was offered to more people.")


class InvitedPersonOut(Schema):
    person: PersonRef
    round: int
    state: InvitationState
    invited_at: dt.datetime
    responded_at: dt.datetime | None


class QuestionInvitationsOut(Schema):
    """Whom Waggle invited to answer a question. Everyone allowed sees the counts; only the
    asker sees who (and what each did), a host sees counts only."""

    question_id: int
    counts: InvitationCounts
    people: list[InvitedPersonOut] | None = Field(
        description="The invited people, for the asker; null for a host."
    )


class EscalationOut(QuestionInvitationsOut):
    newly_invited: int = Field(description="How many more people this offer invited (0 when "
                               "nobody else is likely to know, can see it and has room).")
    round: int | None = Field(description="The round these invitations are; null if none.")


class MyInvitationOut(Schema):
    """An invitation to you to answer a question."""

    id: int
    question: PostRef
    space: SpaceRef
    round: int
    state: InvitationState
    invited_at: dt.datetime
    url: str = Field(description="The question's page in the web app.")

    @staticmethod
    def resolve_space(obj: Any) -> Any:
        return obj.question.space

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return reverse("web:post", args=[obj.question_id])


class UnansweredQuestionOut(Schema):
    """A question nobody answered yet, with how its invitations stand (counts only)."""

    id: int
    title: str
    author: PersonRef | None = Field(description="Null for anonymous questions.")
    topics: list[str]
    created_at: dt.datetime
    invited: int
    seen: int
    declined: int

    @staticmethod
    def resolve_author(obj: Any) -> Any:
        return None if obj.is_anonymous else obj.author

    @staticmethod
    def resolve_topics(obj: Any) -> list[str]:
        return [t.name for t in obj.topics.all()]


# Growth: learning goals and mentoring -------------------------------------------------------

MentoringState = Literal["requested", "accepted", "declined", "withdrawn"]


class GoalIn(Schema):
    topic: str = Field(max_length=60, description="The topic you want to learn about.")
    sentence: str = Field(max_length=1000, description="What you want to learn, in a sentence "
                          "(5 to 300 characters).")


class GoalOut(Schema):
    """One of your learning goals (only you see it, and the mentors you send it to)."""

    id: int
    topic: str
    sentence: str
    created_at: dt.datetime
    reached_at: dt.datetime | None

    @staticmethod
    def resolve_topic(obj: Any) -> str:
        return str(obj.topic.name)


class GoalRef(Schema):
    topic: str
    sentence: str

    @staticmethod
    def resolve_topic(obj: Any) -> str:
        return str(obj.topic.name)


class MentoringRequestIn(Schema):
    goal_id: Id = Field(description="One of your learning goals.")
    mentor: str = Field(max_length=150, description="Username of a person open to mentoring.")
    message: str = Field("", max_length=2000)


class MentoringRequestOut(Schema):
    id: int
    direction: Literal["sent", "received"] = Field(
        description="sent: you asked `mentor`; received: `mentee` asked you."
    )
    goal: GoalRef
    mentee: PersonRef
    mentor: PersonRef
    message: str
    state: MentoringState
    created_at: dt.datetime
    responded_at: dt.datetime | None


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
