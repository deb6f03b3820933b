"""Exchange: posts (questions, answers, updates, lessons), comments, mentions and follows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Post(models.Model):
    """Something a person shared in a space.

    A question has answers (posts of kind ANSWER pointing to it through `question`) and at most
    one accepted answer. An anonymous question has no `author`: only the audit log knows who
    asked, so no member or host can ever see it.
    """

    class Kind(models.TextChoices):
        QUESTION = "question", "Question"
        ANSWER = "answer", "Answer"
        UPDATE = "update", "Work-out-loud update"
        LESSON = "lesson", "Lesson learned"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="posts",
    )
    is_anonymous = models.BooleanField(default=False)
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    # Lessons learned: what we tried, what happened, what we would do next time.
    tried = models.TextField(blank=True)
    happened = models.TextField(blank=True)
    next_time = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    question = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="answers"
    )
    accepted_answer = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    topics = models.ManyToManyField("topics.Topic", blank=True, related_name="posts")
    # Denormalized so lists show them without extra queries (never a like counter).
    answer_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    last_activity_at = models.DateTimeField()
    source = models.CharField(max_length=40, blank=True)
    external_id = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["space", "-created_at"], name="post_space_created"),
            models.Index(fields=["kind", "-created_at"], name="post_kind_created"),
            models.Index(fields=["author", "-created_at"], name="post_author_created"),
            models.Index(fields=["question", "created_at"], name="post_question_created"),
            # Feeds walk this newest first past answers (never feed items); `space` rides
            # along so the visibility check needs no table read.
            models.Index(
                fields=["-created_at", "-id"], include=["space"],
                condition=Q(kind__in=["question", "update", "lesson"]), name="post_feed_created",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=~Q(source=""),
                name="post_unique_provenance",
            ),
            models.CheckConstraint(
                condition=Q(kind="answer", question__isnull=False)
                | (~Q(kind="answer") & Q(question__isnull=True)),
                name="post_answer_has_question",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_answered(self) -> bool:
        return self.answer_count > 0


class Comment(models.Model):
    """A comment on any post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="comments"
    )
    body = models.TextField()
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField()
    source = models.CharField(max_length=40, blank=True)
    external_id = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["post", "created_at"], name="comment_post_created")]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=~Q(source=""),
                name="comment_unique_provenance",
            )
        ]

    def __str__(self) -> str:
        return f"Comment #{self.pk} on {self.post_id}"


class PostLink(models.Model):
    """`post` duplicates, or is related to, `target` (from an archive or marked by people)."""

    class Kind(models.TextChoices):
        DUPLICATE = "duplicate", "Duplicate of"
        RELATED = "related", "Related"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="links")
    target = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="linked_from")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField()
    source = models.CharField(max_length=40, blank=True)
    external_id = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "target", "kind"], name="postlink_unique"),
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=~Q(source=""),
                name="postlink_unique_provenance",
            ),
            models.CheckConstraint(condition=~Q(post=models.F("target")), name="postlink_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} {self.kind} {self.target_id}"


class Mention(models.Model):
    """An @mention of a person in a post or a comment."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="mentions"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "post", "comment"], name="mention_unique"
            )
        ]

    def __str__(self) -> str:
        return f"@{self.person_id} in {self.post_id}"


class Follow(models.Model):
    """A person follows exactly one of: a person, a space or a topic."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="followers",
    )
    space = models.ForeignKey(
        "spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    topic = models.ForeignKey(
        "topics.Topic", null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, space__isnull=True, topic__isnull=True)
                    | Q(person__isnull=True, space__isnull=False, topic__isnull=True)
                    | Q(person__isnull=True, space__isnull=True, topic__isnull=False)
                ),
                name="follow_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["follower", "person"], condition=Q(person__isnull=False),
                name="follow_unique_person",
            ),
            models.UniqueConstraint(
                fields=["follower", "space"], condition=Q(space__isnull=False),
                name="follow_unique_space",
            ),
            models.UniqueConstraint(
                fields=["follower", "topic"], condition=Q(topic__isnull=False),
                name="follow_unique_topic",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.person_id or self.space_id or self.topic_id}"
