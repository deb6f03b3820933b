"""Writes for harvesting: start, finish and fail an import run, and write one batch of
records (`do_import_batch`) in one transaction, audited, without notifications.

The batch writer upserts by provenance: every object it makes carries `source` (the
importer's kind) and `external_id` (the archive's namespace + the record's key), so a
re-run finds what an earlier run made, updates what changed and creates nothing twice.
It writes in bulk (a few queries per batch, not per item) because archives are large.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.db.models import Count, DateTimeField, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from waggle.core import audit
from waggle.core.markdown import extract_mentions, render_markdown
from waggle.exchange.models import Comment, Mention, Post, PostLink
from waggle.expertise.index import schedule_update
from waggle.harvest.models import Identity, ImportRun
from waggle.harvest.records import (
    AcceptRecord,
    CommentRecord,
    LinkRecord,
    PersonRecord,
    PostRecord,
    SpaceRecord,
    Unit,
    fill_placeholders,
    placeholders,
)
from waggle.people.actions import RESERVED_USERNAMES
from waggle.people.models import User
from waggle.search.index import index_comments, index_posts
from waggle.spaces.actions import _unique_slug
from waggle.spaces.models import Membership, Space
from waggle.topics.actions import MAX_TOPICS_PER_ITEM, clean_topic_names, ensure_topics
from waggle.value.models import ValueReport

EMAIL = "email"
# Imported people cannot sign in until someone sets a password (or single sign-on matches
# them); one marker for all is enough, since an unusable password is never compared.
UNUSABLE_PASSWORD = UNUSABLE_PASSWORD_PREFIX + "imported"
TITLE_MAX = 300


def external_id(namespace: str, key: str) -> str:
    """The provenance id of a record: namespace/key, hashed when longer than the column."""
    full = f"{namespace}/{key}"
    if len(full) <= 200:
        return full
    return f"{namespace[:80]}/sha1:{hashlib.sha1(full.encode()).hexdigest()}"


# --- runs -------------------------------------------------------------------------------

def do_start_import_run(
    source: str, namespace: str, *, description: str = "", acting_user: Any = None
) -> ImportRun:
    with transaction.atomic():
        run = ImportRun.objects.create(
            source=source, namespace=namespace, description=description[:500],
            started_at=timezone.now(),
        )
        audit.record(acting_user, "harvest.start_import", run, source=source,
                     namespace=namespace, description=description[:500])
    return run


def do_end_import_run(
    run: ImportRun, status: str, *, error: str = "", acting_user: Any = None
) -> ImportRun:
    """Mark a run finished, failed or interrupted (an unfinished run is resumed next time)."""
    with transaction.atomic():
        run.status = status
        run.error = error
        run.finished_at = timezone.now() if status == ImportRun.Status.FINISHED else None
        run.save(update_fields=["status", "error", "finished_at"])
        audit.record(acting_user, f"harvest.{status}_import", run, units_done=run.units_done,
                     error=error)
    return run


# --- the batch writer ---------------------------------------------------------------------

@dataclass
class BatchResult:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)

    def add_to(self, counts: dict[str, dict[str, int]]) -> None:
        for name in ("created", "updated", "unchanged", "skipped"):
            total = Counter(counts.get(name, {}))
            total.update(getattr(self, name))
            counts[name] = dict(total)


@dataclass(frozen=True, slots=True)
class _PersonRef:
    user_id: int
    username: str
    opted_out: bool


def do_import_batch(
    run: ImportRun, units: Sequence[Unit], *, units_done: int, acting_user: Any = None,
    visibility: str = Space.Visibility.OPEN,
) -> BatchResult:
    """Write the records of `units` and move the run's resume point to `units_done`, all in
    one transaction: if anything fails, nothing of this batch is written."""
    with transaction.atomic():
        writer = _BatchWriter(run, visibility)
        for unit in units:
            writer.result.skipped.update(unit.skipped)
        writer.write([r for unit in units for r in unit.records])
        run.units_done = units_done
        writer.result.add_to(run.counts)
        run.save(update_fields=["units_done", "counts"])
        audit.record(
            acting_user, "harvest.import_batch", run, units_done=units_done,
            first=units[0].where if units else "", last=units[-1].where if units else "",
            created=dict(writer.result.created), updated=dict(writer.result.updated),
            skipped=dict(writer.result.skipped),
        )
    return writer.result


class _BatchWriter:
    """Resolves archive keys to rows and upserts one batch (lives for one transaction)."""

    def __init__(self, run: ImportRun, visibility: str) -> None:
        self.kind = run.source
        self.ns = run.namespace
        self.visibility = visibility
        self.result = BatchResult()
        self.people: dict[str, _PersonRef | None] = {}
        self.spaces: dict[str, Space] = {}
        self.posts: dict[str, tuple[int, int, int | None] | None] = {}  # key->(id, space, author)
        self.touched: set[int] = set()
        self.to_index: set[int] = set()  # posts written (their search entries follow)
        self.comments_to_index: set[int] = set()
        self.members: set[tuple[int, int]] = set()
        self.now = timezone.now()

    def xid(self, key: str) -> str:
        return external_id(self.ns, key)

    # The order matters: posts need people and spaces, answers need questions, comments and
    # links need posts, accepting needs both question and answer.
    def write(self, records: list[Any]) -> None:
        by_type: dict[type, list[Any]] = defaultdict(list)
        for record in records:
            by_type[type(record)].append(record)
        self._write_people(_last_per_key(by_type[PersonRecord]))
        self._write_spaces(_last_per_key(by_type[SpaceRecord]))
        posts = _last_per_key(by_type[PostRecord])
        self._write_posts([p for p in posts if p.kind != "answer"])
        self._write_posts([p for p in posts if p.kind == "answer"])
        self._write_comments(_last_per_key(by_type[CommentRecord]))
        self._write_links(_last_per_key(by_type[LinkRecord]))
        accepts = list(by_type[AcceptRecord]) + [
            AcceptRecord(p.key, p.accepted_answer) for p in posts if p.accepted_answer
        ]
        self._write_accepts(accepts)
        self._refresh_counters()
        index_posts(self.to_index)
        index_comments(self.comments_to_index)
        # Their expertise follows what they wrote (a task, once the batch commits).
        schedule_update(
            {*Post.objects.filter(pk__in=self.to_index).values_list("author_id", flat=True),
             *Comment.objects.filter(pk__in=self.comments_to_index)
             .values_list("author_id", flat=True)})
        Membership.objects.bulk_create(
            [Membership(space_id=s, user_id=u) for s, u in sorted(self.members)],
            ignore_conflicts=True,
        )

    # --- people ---

    def _load_people(self, keys: Iterable[str]) -> None:
        wanted = {k for k in keys if k not in self.people}
        if not wanted:
            return
        found = Identity.objects.filter(
            source=self.kind, key__in=[self.xid(k) for k in wanted]
        ).values_list("key", "person_id", "person__username", "person__opt_out_harvest")
        by_xid = {x: _PersonRef(pid, name, out) for x, pid, name, out in found}
        for k in wanted:
            self.people[k] = by_xid.get(self.xid(k))

    def _write_people(self, records: list[PersonRecord]) -> None:
        if not records:
            return
        self._load_people(r.key for r in records)
        emails = {e.strip().lower() for r in records for e in r.emails if e.strip()}
        by_email: dict[str, User] = {}
        if emails:
            for ident in Identity.objects.filter(source=EMAIL, key__in=emails).select_related(
                "person"
            ):
                by_email[ident.key] = ident.person
            # Addresses are compared without case: people type them both ways.
            for account in User.objects.annotate(lower=Lower("email")).filter(lower__in=emails):
                by_email.setdefault(account.email.lower(), account)
        changed: list[User] = []
        new: list[tuple[PersonRecord, User]] = []
        known = User.objects.in_bulk([
            ref.user_id for r in records if (ref := self.people.get(r.key)) is not None
        ])
        for r in records:
            ref = self.people.get(r.key)
            user: User | None = known.get(ref.user_id) if ref is not None else None
            if user is None:
                user = next(
                    (by_email[e.lower()] for e in r.emails if e.lower() in by_email), None
                )
                if user is not None:
                    self.result.unchanged["person"] += 1
            if user is None:
                user = User(
                    username="", password=UNUSABLE_PASSWORD,
                    display_name=r.name[:150],
                    email=(r.emails[0].lower() if r.emails else "")[:254],
                    location=r.location[:150], bio=r.bio, source=self.kind,
                    external_id=self.xid(r.key),
                )
                new.append((r, user))
                continue
            if ref is not None and user.source == self.kind and user.external_id == self.xid(r.key):
                # Only people this importer made are refreshed; a person's own edits to an
                # account that existed before the import are never overwritten.
                fresh = (r.name[:150], r.location[:150], r.bio)
                if (user.display_name, user.location, user.bio) != fresh:
                    user.display_name, user.location, user.bio = fresh
                    changed.append(user)
                    self.result.updated["person"] += 1
                else:
                    self.result.unchanged["person"] += 1
            elif ref is not None:
                self.result.unchanged["person"] += 1
            self.people[r.key] = _PersonRef(user.pk, user.username, user.opt_out_harvest)
        if new:
            self._choose_usernames(new)
            User.objects.bulk_create([u for _, u in new], batch_size=500)
            names = [u.username for _, u in new]
            created = {u.username: u for u in User.objects.filter(username__in=names)}
            for r, u in new:
                u = created[u.username]
                self.people[r.key] = _PersonRef(u.pk, u.username, u.opt_out_harvest)
            self.result.created["person"] += len(new)
        if changed:
            User.objects.bulk_update(changed, ["display_name", "location", "bio"], batch_size=500)
        identities: list[Identity] = []
        for r in records:
            ref = self.people[r.key]
            assert ref is not None
            identities.append(
                Identity(source=self.kind, key=self.xid(r.key), person_id=ref.user_id)
            )
            identities.extend(
                Identity(source=EMAIL, key=e.strip().lower()[:255], person_id=ref.user_id)
                for e in r.emails if e.strip()
            )
        Identity.objects.bulk_create(identities, ignore_conflicts=True, batch_size=500)

    def _choose_usernames(self, new: list[tuple[PersonRecord, User]]) -> None:
        """Each new person's own name where it is free, else the name plus a short suffix
        that is stable for the same archive identity (re-runs and resumes agree)."""
        attempt = 0
        pending = new
        chosen: set[str] = set()
        while pending:
            wanted = {id(u): _username_candidate(r, self.xid(r.key), attempt) for r, u in pending}
            taken = set(User.objects.filter(username__in=set(wanted.values())).values_list(
                "username", flat=True
            ))
            retry = []
            for r, u in pending:
                name = wanted[id(u)]
                if name in taken or name in chosen:
                    retry.append((r, u))
                else:
                    u.username = name
                    chosen.add(name)
            pending, attempt = retry, attempt + 1

    def _author(self, key: str | None) -> tuple[int | None, bool]:
        """(user id or None, opted out)."""
        if key is None:
            return None, False
        ref = self.people.get(key)
        if ref is None:
            return None, False
        return ref.user_id, ref.opted_out

    # --- spaces ---

    def _write_spaces(self, records: list[SpaceRecord]) -> None:
        if not records:
            return
        existing = {
            s.external_id: s for s in Space.objects.filter(
                source=self.kind, external_id__in=[self.xid(r.key) for r in records]
            )
        }
        for r in records:
            space = existing.get(self.xid(r.key))
            name = (r.name.strip() or r.key)[:120]
            if space is None:
                space = Space.objects.create(
                    name=name, slug=_unique_slug(name), description=r.description,
                    visibility=self.visibility, kind=Space.Kind.COMMUNITY, source=self.kind,
                    external_id=self.xid(r.key),
                )
                self.result.created["space"] += 1
            elif (space.name, space.description) != (name, r.description):
                space.name, space.description = name, r.description
                space.save(update_fields=["name", "description"])
                self.result.updated["space"] += 1
            else:
                self.result.unchanged["space"] += 1
            self.spaces[r.key] = space

    def _space(self, key: str) -> Space | None:
        if key not in self.spaces:
            space = Space.objects.filter(source=self.kind, external_id=self.xid(key)).first()
            if space is None:
                return None
            self.spaces[key] = space
        return self.spaces[key]

    # --- bodies ---

    def _fill(self, text: str) -> str:
        found = placeholders(text)
        if not found:
            return text
        self._load_people(k for kind, k in found if kind == "person")
        people = {
            k: f"@{ref.username}" for k, ref in self.people.items() if ref is not None
        }
        spaces: dict[str, str] = {}
        for kind, key in found:
            if kind == "space" and (space := self._space(key)) is not None:
                spaces[key] = f"[#{space.name}]({reverse('web:space', args=[space.slug])})"
        return fill_placeholders(text, people, spaces)

    # --- posts ---

    def _load_posts(self, keys: Iterable[str]) -> None:
        wanted = {k for k in keys if k not in self.posts}
        if not wanted:
            return
        rows = Post.objects.filter(
            source=self.kind, external_id__in=[self.xid(k) for k in wanted]
        ).values_list("external_id", "pk", "space_id", "author_id")
        by_xid = {x: (pk, space, author) for x, pk, space, author in rows}
        for k in wanted:
            self.posts[k] = by_xid.get(self.xid(k))

    def _write_posts(self, records: list[PostRecord]) -> None:
        if not records:
            return
        self._load_posts([r.question for r in records if r.question])
        self._load_people(r.author for r in records if r.author)
        existing = {
            p.external_id: p for p in Post.objects.filter(
                source=self.kind, external_id__in=[self.xid(r.key) for r in records]
            ).prefetch_related("topics")
        }
        new: list[tuple[PostRecord, Post, list[str]]] = []
        changed: list[tuple[PostRecord, Post, list[str], bool]] = []
        removed: list[int] = []
        for r in records:
            author_id, opted_out = self._author(r.author)
            old = existing.get(self.xid(r.key))
            if opted_out:
                self.result.skipped["opted out of harvesting"] += 1
                self.posts[r.key] = None
                if old is not None:
                    removed.append(old.pk)
                continue
            space = self._space(r.space)
            question = self.posts.get(r.question) if r.question else None
            if space is None:
                self.result.skipped["post in an unknown space"] += 1
                continue
            if r.kind == "answer" and question is None:
                self.result.skipped["answer to a question not imported"] += 1
                self.posts[r.key] = None
                continue
            body = self._fill(r.body)
            html = r.html if r.html and body == r.body else ""
            topics = _clean_topics(r.topics)
            fields = {
                "kind": r.kind, "space_id": space.pk, "author_id": author_id,
                "title": " ".join(r.title.split())[:TITLE_MAX] if r.kind != "answer" else "",
                "body": body, "created_at": r.created_at,
                "updated_at": max(r.updated_at or r.created_at, r.created_at),
                "question_id": question[0] if question else None,
            }
            if old is None:
                post = Post(
                    **fields, body_html=html or render_markdown(body),
                    last_activity_at=r.created_at,
                    source=self.kind, external_id=self.xid(r.key),
                )
                new.append((r, post, topics))
                continue
            old_topics = sorted(t.name for t in old.topics.all())
            if all(getattr(old, f) == v for f, v in fields.items()) and old_topics == sorted(
                topics
            ):
                self.result.unchanged[r.kind] += 1
            else:
                body_changed = old.body != body
                for f, v in fields.items():
                    setattr(old, f, v)
                if body_changed:
                    old.body_html = html or render_markdown(body)
                changed.append((r, old, topics, body_changed))
                self.result.updated[r.kind] += 1
            self.posts[r.key] = (old.pk, space.pk, author_id)
            if r.question and question:
                self.touched.add(question[0])
        if removed:
            self.result.skipped["removed: author opted out"] += len(removed)
            Post.objects.filter(pk__in=removed).delete()
        if new:
            Post.objects.bulk_create([p for _, p, _ in new], batch_size=500)
            self._pks_after_bulk([p for _, p, _ in new], Post)
            for r, post, _ in new:
                self.posts[r.key] = (post.pk, post.space_id, post.author_id)
                self.result.created[r.kind] += 1
                self.touched.add(post.pk)
                self.to_index.add(post.pk)
                if post.question_id:
                    self.touched.add(post.question_id)
                if post.author_id:
                    self.members.add((post.space_id, post.author_id))
        if changed:
            Post.objects.bulk_update(
                [p for _, p, _, _ in changed],
                ["kind", "space", "author", "title", "body", "body_html", "created_at",
                 "updated_at", "question"], batch_size=500,
            )
            for _, post, _, _ in changed:
                self.touched.add(post.pk)
                self.to_index.add(post.pk)
        self._set_topics([(p, t) for _, p, t in new], replace=False)
        self._set_topics([(p, t) for _, p, t, _ in changed], replace=True)
        self._mention([(p, None, p.body) for _, p, _ in new], replace=False)
        self._mention([(p, None, p.body) for _, p, _, b in changed if b], replace=True)

    def _pks_after_bulk(self, objs: Sequence[Any], model: Any) -> None:
        """bulk_create sets primary keys on PostgreSQL and SQLite >= 3.35; older SQLite
        does not, so read them back by provenance."""
        missing = [o for o in objs if o.pk is None]
        if missing:
            ids = dict(model.objects.filter(
                source=self.kind, external_id__in=[o.external_id for o in missing]
            ).values_list("external_id", "pk"))
            for o in missing:
                o.pk = ids[o.external_id]

    def _set_topics(self, items: list[tuple[Post, list[str]]], *, replace: bool) -> None:
        items = [(p, t) for p, t in items if t or replace]
        if not items:
            return
        through = Post.topics.through
        if replace:
            through.objects.filter(post_id__in=[p.pk for p, _ in items]).delete()
        names = sorted({n for _, topics in items for n in topics})
        by_name = {t.name: t.pk for t in _ensure_many_topics(names)}
        through.objects.bulk_create(
            [through(post_id=p.pk, topic_id=by_name[n]) for p, topics in items for n in topics],
            ignore_conflicts=True, batch_size=1000,
        )

    def _mention(
        self, items: list[tuple[Post, Comment | None, str]], *, replace: bool
    ) -> None:
        if replace:
            for p, c, _ in items:
                Mention.objects.filter(post=p, comment=c).delete()
        found = [(p, c, extract_mentions(text)) for p, c, text in items if "@" in text]
        found = [(p, c, names) for p, c, names in found if names]
        if not found:
            return
        names = {n.lower() for _, _, ns in found for n in ns}
        people = dict(
            User.objects.filter(username__in=names, is_active=True).values_list("username", "pk")
        )
        Mention.objects.bulk_create(
            [Mention(person_id=people[n.lower()], post=p, comment=c)
             for p, c, ns in found for n in ns if n.lower() in people],
            ignore_conflicts=True,
        )

    # --- comments ---

    def _write_comments(self, records: list[CommentRecord]) -> None:
        if not records:
            return
        self._load_posts(r.post for r in records)
        self._load_people(r.author for r in records if r.author)
        existing = {
            c.external_id: c for c in Comment.objects.filter(
                source=self.kind, external_id__in=[self.xid(r.key) for r in records]
            )
        }
        new: list[Comment] = []
        changed: list[Comment] = []
        removed: list[int] = []
        for r in records:
            author_id, opted_out = self._author(r.author)
            old = existing.get(self.xid(r.key))
            post = self.posts.get(r.post)
            if opted_out:
                self.result.skipped["opted out of harvesting"] += 1
                if old is not None:
                    removed.append(old.pk)
                continue
            if post is None:
                self.result.skipped["comment on a post not imported"] += 1
                continue
            body = self._fill(r.body)
            html = r.html if r.html and body == r.body else ""
            if old is None:
                new.append(Comment(
                    post_id=post[0], author_id=author_id, body=body,
                    body_html=html or render_markdown(body), created_at=r.created_at,
                    source=self.kind, external_id=self.xid(r.key),
                ))
            elif (old.post_id, old.author_id, old.body, old.created_at) != (
                post[0], author_id, body, r.created_at
            ):
                old.post_id, old.author_id, old.created_at = post[0], author_id, r.created_at
                old.body, old.body_html = body, html or render_markdown(body)
                changed.append(old)
                self.result.updated["comment"] += 1
            else:
                self.result.unchanged["comment"] += 1
                continue
            self.touched.add(post[0])
            if author_id:
                self.members.add((post[1], author_id))
        if removed:
            self.result.skipped["removed: author opted out"] += len(removed)
            Comment.objects.filter(pk__in=removed).delete()
        if new:
            Comment.objects.bulk_create(new, batch_size=500)
            self._pks_after_bulk(new, Comment)
            self.result.created["comment"] += len(new)
        self.comments_to_index.update(c.pk for c in [*new, *changed])
        if changed:
            Comment.objects.bulk_update(
                changed, ["post", "author", "body", "body_html", "created_at"], batch_size=500
            )
        self._mention([(Post(pk=c.post_id), c, c.body) for c in new], replace=False)
        self._mention([(Post(pk=c.post_id), c, c.body) for c in changed], replace=True)

    # --- links and accepted answers ---

    def _write_links(self, records: list[LinkRecord]) -> None:
        if not records:
            return
        self._load_posts([r.post for r in records] + [r.target for r in records])
        existing = {
            link.external_id: link for link in PostLink.objects.filter(
                source=self.kind, external_id__in=[self.xid(r.key) for r in records]
            )
        }
        new: list[PostLink] = []
        for r in records:
            post, target = self.posts.get(r.post), self.posts.get(r.target)
            if post is None or target is None or post[0] == target[0]:
                self.result.skipped["link to a post not imported"] += 1
                continue
            old = existing.get(self.xid(r.key))
            if old is None:
                new.append(PostLink(
                    post_id=post[0], target_id=target[0], kind=r.kind, created_at=self.now,
                    source=self.kind, external_id=self.xid(r.key),
                ))
            elif (old.post_id, old.target_id, old.kind) != (post[0], target[0], r.kind):
                old.post_id, old.target_id, old.kind = post[0], target[0], r.kind
                old.save(update_fields=["post", "target", "kind"])
                self.result.updated["link"] += 1
            else:
                self.result.unchanged["link"] += 1
        if new:
            before = PostLink.objects.count()
            PostLink.objects.bulk_create(new, ignore_conflicts=True)
            made = PostLink.objects.count() - before
            self.result.created["link"] += made
            if made < len(new):
                self.result.skipped["link already recorded"] += len(new) - made

    def _write_accepts(self, records: list[AcceptRecord]) -> None:
        if not records:
            return
        self._load_posts([r.question for r in records] + [r.answer for r in records])
        pairs = [
            (r, self.posts.get(r.question), self.posts.get(r.answer)) for r in records
        ]
        questions = Post.objects.in_bulk(
            [q[0] for _, q, a in pairs if q is not None and a is not None]
        )
        answers = dict(
            Post.objects.filter(pk__in=[a[0] for _, q, a in pairs if q and a])
            .values_list("pk", "question_id")
        )
        reports = {
            v.external_id: v for v in ValueReport.objects.filter(
                source=self.kind,
                external_id__in=[self.xid(f"accept/{r.question}") for r, _, _ in pairs],
            )
        }
        changed: list[Post] = []
        for r, q, a in pairs:
            if q is None or a is None or answers.get(a[0]) != q[0]:
                self.result.skipped["accepted answer not imported"] += 1
                continue
            question = questions[q[0]]
            if question.accepted_answer_id != a[0]:
                question.accepted_answer_id = a[0]
                changed.append(question)
            self._harvest_value(r, question, a, reports.get(self.xid(f"accept/{r.question}")))
        if changed:
            Post.objects.bulk_update(changed, ["accepted_answer"], batch_size=500)

    def _harvest_value(
        self, r: AcceptRecord, question: Post, answer: tuple[int, int, int | None],
        old: ValueReport | None,
    ) -> None:
        """An accepted answer solved the asker's problem: a harvested value report from them."""
        asker, helper = question.author_id, answer[2]
        if asker is None or asker == helper:
            self.result.skipped["accepted answer without a separate asker"] += 1
            return
        if old is not None:
            if old.post_id == answer[0]:
                self.result.unchanged["value report"] += 1
            else:
                old.post_id, old.helper_id, old.updated_at = answer[0], helper, self.now
                old.save(update_fields=["post", "helper", "updated_at"])
                self.result.updated["value report"] += 1
            return
        if ValueReport.objects.filter(reporter_id=asker, post_id=answer[0]).exists():
            self.result.skipped["asker already reported value"] += 1
            return
        when = Post.objects.filter(pk=answer[0]).values_list("created_at", flat=True).get()
        ValueReport.objects.create(
            reporter_id=asker, post_id=answer[0], helper_id=helper, solved_problem=True,
            harvested=True, note="Accepted this answer (harvested from the archive).",
            created_at=when, updated_at=when, source=self.kind,
            external_id=self.xid(f"accept/{r.question}"),
        )
        self.result.created["value report"] += 1

    # --- counters ---

    def _refresh_counters(self) -> None:
        """Answer and comment counts and last activity of every post this batch touched."""
        if not self.touched:
            return
        answers = Post.objects.filter(question=OuterRef("pk")).order_by().values("question")
        comments = Comment.objects.filter(post=OuterRef("pk")).order_by().values("post")
        ids = sorted(self.touched)
        for start in range(0, len(ids), 500):
            Post.objects.filter(pk__in=ids[start:start + 500]).update(
                answer_count=Coalesce(Subquery(answers.annotate(n=Count("pk")).values("n")), 0),
                comment_count=Coalesce(Subquery(comments.annotate(n=Count("pk")).values("n")), 0),
                last_activity_at=Greatest(
                    "created_at",
                    Coalesce(
                        Subquery(answers.annotate(m=Max("created_at")).values("m")),
                        "created_at", output_field=DateTimeField(),
                    ),
                    Coalesce(
                        Subquery(comments.annotate(m=Max("created_at")).values("m")),
                        "created_at", output_field=DateTimeField(),
                    ),
                ),
            )


def _last_per_key(records: list[Any]) -> list[Any]:
    """One record per key (the last one wins), in first-seen order."""
    by_key: dict[str, Any] = {}
    for r in records:
        by_key[getattr(r, "key", None) or repr(r)] = r
    return list(by_key.values())


def _clean_topics(names: Sequence[str]) -> list[str]:
    return clean_topic_names(list(dict.fromkeys(names))[:MAX_TOPICS_PER_ITEM])


def _ensure_many_topics(names: list[str]) -> list[Any]:
    topics: list[Any] = []
    for start in range(0, len(names), MAX_TOPICS_PER_ITEM):
        topics.extend(ensure_topics(names[start:start + MAX_TOPICS_PER_ITEM]))
    return topics


def _username_base(r: PersonRecord) -> str:
    base = slugify(r.username or r.name or (r.emails[0].split("@")[0] if r.emails else ""))
    return (base or "person")[:140]


def _username_candidate(r: PersonRecord, xid: str, attempt: int) -> str:
    base = _username_base(r)
    if attempt == 0 and base not in RESERVED_USERNAMES:
        return base
    return f"{base}-{hashlib.sha1(f'{xid}:{attempt}'.encode()).hexdigest()[:5]}"

