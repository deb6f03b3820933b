"""Posts (questions, updates, lessons), answers and comments."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from waggle.api.auth import viewer
from waggle.api.pagination import KeysetPagination
from waggle.api.schemas import (
    AcceptIn,
    AnswerIn,
    CommentIn,
    CommentOut,
    Id,
    LessonIn,
    PostDetail,
    PostKind,
    PostOut,
    PostPatch,
    QuestionIn,
    UpdateIn,
)
from waggle.core.markdown import normalize_topic
from waggle.exchange.access import access_post, visible_comments, visible_posts
from waggle.exchange.actions import (
    do_accept_answer,
    do_answer_question,
    do_ask_question,
    do_comment,
    do_edit_post,
    do_mark_duplicate,
    do_post_lesson,
    do_post_update,
    do_unmark_duplicate,
)
from waggle.exchange.links import linked_posts
from waggle.exchange.models import Comment, Post
from waggle.expertise.actions import mark_invitation_seen
from waggle.search.similar import similar_questions
from waggle.spaces.access import access_space

router = Router()


class PostFilters(Schema):
    space: str | None = Field(None, max_length=120, description="Space slug.")
    kind: PostKind | None = Field(
        None,
        description="Leave out for questions, updates and lessons (answers are listed "
        "under their question).",
    )
    topic: str | None = Field(None, max_length=60)
    author: str | None = Field(None, max_length=150, description="Username.")


def _for_lists(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.select_related("space", "author").prefetch_related("topics")


def _post_out(user: Any, post_id: int) -> Post:
    """A post re-read through the gate with everything its answer shows."""
    return _for_lists(visible_posts(user)).get(pk=post_id)


@router.get("/posts", response=list[PostOut], summary="List posts, newest first")
@paginate(KeysetPagination, ordering=("-created_at", "-id"))
def list_posts(request: HttpRequest, filters: Query[PostFilters]) -> QuerySet[Post]:
    posts = _for_lists(visible_posts(viewer(request)))
    if filters.kind:
        posts = posts.filter(kind=filters.kind)
    else:
        posts = posts.exclude(kind=Post.Kind.ANSWER)
    if filters.space:
        posts = posts.filter(space__slug=filters.space)
    if filters.topic:
        posts = posts.filter(topics__name=normalize_topic(filters.topic))
    if filters.author:
        # Anonymous questions have no author, so they never show up under anybody's name.
        posts = posts.filter(author__username=filters.author, is_anonymous=False)
    return posts


@router.post("/spaces/{slug}/questions", response={201: PostOut}, summary="Ask a question")
def ask(request: HttpRequest, slug: str, payload: QuestionIn) -> Status:
    user = viewer(request)
    post = do_ask_question(
        access_space(user, slug),
        acting_user=user,
        title=payload.title,
        body=payload.body,
        topics=payload.topics,
        anonymous=payload.anonymous,
        route=payload.route,
    )
    return Status(201, _post_out(user, post.pk))


@router.post(
    "/spaces/{slug}/updates", response={201: PostOut}, summary="Share a work-out-loud update"
)
def share_update(request: HttpRequest, slug: str, payload: UpdateIn) -> Status:
    user = viewer(request)
    post = do_post_update(
        access_space(user, slug),
        acting_user=user,
        body=payload.body,
        title=payload.title,
        topics=payload.topics,
    )
    return Status(201, _post_out(user, post.pk))


@router.post("/spaces/{slug}/lessons", response={201: PostOut}, summary="Share a lesson learned")
def share_lesson(request: HttpRequest, slug: str, payload: LessonIn) -> Status:
    user = viewer(request)
    post = do_post_lesson(
        access_space(user, slug),
        acting_user=user,
        title=payload.title,
        tried=payload.tried,
        happened=payload.happened,
        next_time=payload.next_time,
        topics=payload.topics,
    )
    return Status(201, _post_out(user, post.pk))


@router.get("/posts/{post_id}", response=PostDetail, summary="A post, with its links")
def get_post(request: HttpRequest, post_id: int) -> Any:
    user = viewer(request)
    found = access_post(user, post_id)
    if found.kind == Post.Kind.QUESTION:
        mark_invitation_seen(found, user)
    post = _post_out(user, found.pk)
    post.shown_links = linked_posts(user, post).as_list()  # type: ignore[attr-defined]
    return post


@router.patch("/posts/{post_id}", response=PostOut, summary="Edit your post")
def edit_post(request: HttpRequest, post_id: int, payload: PostPatch) -> Any:
    user = viewer(request)
    post = access_post(user, post_id)
    do_edit_post(post, acting_user=user, **payload.dict(exclude_unset=True))
    return _post_out(user, post.pk)


@router.get("/posts/{post_id}/answers", response=list[PostOut], summary="Answers to a question")
@paginate(KeysetPagination, ordering=("created_at", "id"))
def list_answers(request: HttpRequest, post_id: int) -> QuerySet[Post]:
    user = viewer(request)
    question = access_post(user, post_id, kind=Post.Kind.QUESTION)
    return _for_lists(visible_posts(user)).filter(question=question, kind=Post.Kind.ANSWER)


@router.post("/posts/{post_id}/answers", response={201: PostOut}, summary="Answer a question")
def answer(request: HttpRequest, post_id: int, payload: AnswerIn) -> Status:
    user = viewer(request)
    question = access_post(user, post_id, kind=Post.Kind.QUESTION)
    post = do_answer_question(question, acting_user=user, body=payload.body)
    return Status(201, _post_out(user, post.pk))


@router.post("/posts/{post_id}/accept", response=PostOut, summary="Accept an answer")
def accept(request: HttpRequest, post_id: int, payload: AcceptIn) -> Any:
    """The asker or a host accepts one answer; `answer_id: null` takes the acceptance back."""
    user = viewer(request)
    question = access_post(user, post_id, kind=Post.Kind.QUESTION)
    chosen = None
    if payload.answer_id is not None:
        chosen = access_post(user, payload.answer_id, kind=Post.Kind.ANSWER)
    do_accept_answer(question, chosen, acting_user=user)
    return _post_out(user, question.pk)


@router.get("/posts/{post_id}/comments", response=list[CommentOut], summary="Comments on a post")
@paginate(KeysetPagination, ordering=("created_at", "id"))
def list_comments(request: HttpRequest, post_id: int) -> QuerySet[Comment]:
    user = viewer(request)
    post = access_post(user, post_id)
    return visible_comments(user).filter(post=post).select_related("author")


@router.post("/posts/{post_id}/comments", response={201: CommentOut}, summary="Comment")
def comment(request: HttpRequest, post_id: int, payload: CommentIn) -> Status:
    user = viewer(request)
    created = do_comment(access_post(user, post_id), acting_user=user, body=payload.body)
    return Status(201, created)


class DuplicateIn(Schema):
    question_id: Id | None = Field(
        description="The question this one duplicates; null takes the mark back."
    )


@router.put("/posts/{post_id}/duplicate-of", response=PostDetail,
            summary="Mark a question as a duplicate (hosts)")
def mark_duplicate(request: HttpRequest, post_id: int, payload: DuplicateIn) -> Any:
    """A host of the space marks the question as a duplicate of another question they can
    see (the mark points to that question's original if it is itself a duplicate)."""
    user = viewer(request)
    question = access_post(user, post_id, kind=Post.Kind.QUESTION)
    if payload.question_id is None:
        do_unmark_duplicate(question, acting_user=user)
    else:
        original = access_post(user, payload.question_id, kind=Post.Kind.QUESTION)
        do_mark_duplicate(question, original, acting_user=user)
    return get_post(request, question.pk)


class SimilarIn(Schema):
    text: str = Field(min_length=1, max_length=300, description="The draft title.")
    limit: int = Field(5, ge=1, le=20)


class SimilarOut(Schema):
    id: int
    title: str
    space: str = Field(description="Space slug.")
    answered: bool
    score: float


@router.get("/questions/similar", response=list[SimilarOut],
            summary="Has this been asked? The closest questions to a draft")
def similar(request: HttpRequest, filters: Query[SimilarIn]) -> list[SimilarOut]:
    """The questions the viewer may see that are closest to `text`, answered ones first."""
    found = similar_questions(viewer(request), filters.text, limit=filters.limit)
    return [SimilarOut(id=s.question.pk, title=s.question.title, space=s.question.space.slug,
                       answered=s.answered, score=s.score) for s in found]
