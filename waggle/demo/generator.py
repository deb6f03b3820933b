"""The demo-organization generator: a believable organization written in bulk, in minutes.

`do_generate_demo_organization` fills the database with departments and teams, people (with
titles, locations, declared skills, some open to mentoring, a few guests), spaces
(department, team, community-of-practice, project and external spaces; open, private and
external, with hosts and members), questions with answers, accepted answers, comments,
work-out-loud updates, lessons learned, value reports, kudos, a few anonymous questions, and
follows. The same seed gives the same organization (timestamps are relative to `now`).

Why one bulk action instead of the per-item actions: a million `do_ask_question` calls would
each render markdown, run a dozen queries and write an audit entry, which takes hours. The
generator instead plans everything in memory and writes rows in batches (COPY on PostgreSQL,
`bulk_create` elsewhere), one transaction per batch so memory and locks stay bounded, with
one `AuditEntry` ("generate_demo_organization") for the whole run. It writes exactly what the
actions would have written: every author is a member of the space they post in, answers
point to their question in the same space, an accepted answer belongs to its question, the
denormalized `answer_count`, `comment_count` and `last_activity_at` match the real rows,
topics come from the #tags in the text, an anonymous question has no author and an
"ask_question" audit entry naming the real asker (so the gate's `asker_id` finds them),
value reports carry the item's author as `helper` and are never by that author, and kudos
never go to the giver. The anonymous asker never comments on, reports value on or thanks
anyone in their own thread, so nothing points back at them. No notifications are written.

The help network is planted, so the insights can be tested against a known answer.
The help network is who answered whose question (answers to named askers, between people
with a department; anonymous questions show no asker, so they are not counted):
- **Departments help within themselves.** An answerer is a colleague from the asker's
  department in `SAME_DEPARTMENT_RATE` of cases where the space has one, else in
  `HOME_ANSWER_RATE` of cases someone from the department the space belongs to; community
  spaces take `OUTSIDER_SHARE` of their members from other departments, and such visitors
  ask and answer `OUTSIDER_ACTIVITY` times as often as the space's own people.
- **Silos**: the departments marked `silo` in the vocabulary (Finance and Legal) keep all
  their spaces private, their people join no other department's spaces, and only
  `SILO_OUTSIDER_SHARE` of their community members come from outside; more than 95% of
  their help stays inside (`DemoSummary.help_within_department`; 99.6% and 99.8% at 100,000
  people, against 81% to 90% for the other departments).
- **Bridges**: `max(3, people // 2500)` people from non-silo departments (listed in
  `DemoSummary.bridges`) are members of the department space and communities of three other
  non-silo departments; in those spaces `BRIDGE_ANSWER_RATE` of the questions asked by people
  from another department get an answer from one of them, so each answers many questions
  across departments (at 100,000 people: the 40 bridges are the top 40 cross-department
  answerers with about 575 such answers each; the next person has 17. In a 60-person
  organization they are still among the top few, but a very active colleague can come
  close).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
import time
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from waggle.core import audit
from waggle.core.errors import Invalid
from waggle.core.markdown import extract_topics, render_markdown
from waggle.core.models import AuditEntry
from waggle.exchange.actions import _lesson_markdown
from waggle.exchange.models import Comment, Follow, Post
from waggle.expertise.index import rebuild_expertise
from waggle.people.models import Department, Team, User
from waggle.search.index import index_posts_after
from waggle.spaces.models import Membership, Space
from waggle.topics.models import Topic
from waggle.value.models import Kudos, ValueReport

from . import vocabulary as words

DEMO_PASSWORD = "waggle-demo"
# The accounts a person can log in with, and what each shows them.
DEMO_LOGINS: dict[str, str] = {
    "ada": "administrator",
    "mira": "member with activity",
    "hana": "host of several spaces",
    "gita": "guest in an external space",
    "eve": "enabler (learning & development): the organization's insights",
}
MIN_PEOPLE = 40

SAME_DEPARTMENT_RATE = 0.9
BRIDGE_ANSWER_RATE = 0.25
HOME_ANSWER_RATE = 0.8
OUTSIDER_ACTIVITY = 0.3
OUTSIDER_SHARE = 0.15
SILO_OUTSIDER_SHARE = 0.03
ANONYMOUS_RATE = 0.03
ACCEPT_RATE = 0.55
QUESTION_SHARE, UPDATE_SHARE = 0.55, 0.33  # of threads; the rest are lessons
ANSWER_COUNT_WEIGHTS = (12, 30, 28, 17, 9, 4)  # 0, 1, 2, ... answers per question
HISTORY_DAYS = 365
EXTERNAL_TOPICS = ("customer-onboarding", "support-tickets", "api-design", "knowledge-base")
BATCH_POSTS = 20_000


@dataclass
class DemoSummary:
    """What was generated. Two runs with the same arguments compare equal."""

    seed: int
    people: int
    guests: int
    departments: int
    teams: int
    spaces: int
    memberships: int
    questions: int = 0
    anonymous_questions: int = 0
    answers: int = 0
    accepted_answers: int = 0
    updates: int = 0
    lessons: int = 0
    comments: int = 0
    value_reports: int = 0
    kudos: int = 0
    follows: int = 0
    # Usernames of the planted bridge people, and the names of the planted silo departments.
    bridges: list[str] = field(default_factory=list)
    silos: list[str] = field(default_factory=list)
    # For each department: the share of answers touching it (asked or given by its people,
    # between two named colleagues) that stay inside it.
    help_within_department: dict[str, float] = field(default_factory=dict)
    # For each bridge: how many answers they gave to people of another department.
    bridge_cross_answers: dict[str, int] = field(default_factory=dict)
    logins: dict[str, str] = field(default_factory=lambda: dict(DEMO_LOGINS))
    password: str = DEMO_PASSWORD
    seconds: float = field(default=0.0, compare=False)

    @property
    def posts(self) -> int:
        return self.questions + self.answers + self.updates + self.lessons

    def counts(self) -> dict[str, int]:
        """The figures worth recording in the audit log and printing."""
        data = asdict(self)
        counts = {k: v for k, v in data.items() if isinstance(v, int) and k != "seed"}
        return {**counts, "posts": self.posts}


def do_generate_demo_organization(
    *,
    people: int,
    seed: int,
    spaces: int | None = None,
    posts: int | None = None,
    append: bool = False,
    progress: bool = False,
    acting_user: Any = None,
    now: dt.datetime | None = None,
    batch_posts: int = BATCH_POSTS,
) -> DemoSummary:
    """Generate a demo organization of `people` people and `posts` posts (default 10 each).

    Refuses a database that already holds posts unless `append` is set (then the new
    organization is added beside what is there, with fresh usernames and space slugs).
    """
    if people < MIN_PEOPLE:
        raise Invalid(f"A demo organization needs at least {MIN_PEOPLE} people.", field="people")
    min_spaces = len(words.DEPARTMENTS) + 4
    spaces = max(min_spaces + 6, people // 25) if spaces is None else spaces
    if spaces < min_spaces:
        raise Invalid(f"A demo organization needs at least {min_spaces} spaces.", field="spaces")
    posts = people * 10 if posts is None else posts
    if posts < 0:
        raise Invalid("The number of posts cannot be negative.", field="posts")
    if not append and Post.objects.exists():
        raise Invalid(
            f"The database already holds {Post.objects.count()} posts; the demo generator only "
            "fills an empty one. Use --append to add a generated organization beside them.",
            field="append",
        )
    started = time.monotonic()
    generator = _Generator(
        people=people, seed=seed, spaces=spaces, posts=posts, progress=progress,
        now=now or timezone.now(), batch_posts=batch_posts,
    )
    last_before = Post.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    summary = generator.run()
    # The generator writes rows in bulk, past the actions: index what it added in bulk too.
    index_posts_after(last_before)
    rebuild_expertise()
    summary.seconds = round(time.monotonic() - started, 2)
    with transaction.atomic():
        audit.record(acting_user, "generate_demo_organization", None, seed=seed,
                     bridges=summary.bridges, silos=summary.silos,
                     help_within_department=summary.help_within_department,
                     **summary.counts())
    return summary


# --------------------------------------------------------------------------------------------
# Writing rows in bulk


class _Ids:
    """Hands out primary keys ahead of the insert, so rows can point at each other (an answer
    at its question, a question at its accepted answer) without reading ids back.

    On PostgreSQL the ids come from the table's own sequence, so concurrent writers never
    collide; elsewhere (SQLite, one writer) they continue from the largest id.
    """

    BLOCK = 10_000

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.free: list[int] = []
        self.next_local = 0
        self.from_sequence = connection.vendor == "postgresql"

    def take(self) -> int:
        if self.from_sequence:
            if not self.free:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                        "FROM generate_series(1, %s)",
                        [self.model._meta.db_table, self.BLOCK],
                    )
                    self.free = [row[0] for row in cursor.fetchall()][::-1]
            return self.free.pop()
        if not self.next_local:
            largest = self.model._default_manager.aggregate(m=models.Max("id"))["m"] or 0
            self.next_local = largest + 1
        self.next_local += 1
        return self.next_local - 1


class _Writer:
    """Collects rows (dicts of column values, by attname) per model and writes them in one
    go: COPY on PostgreSQL, `bulk_create` elsewhere. (With `bulk_create` on PostgreSQL the
    whole run for 10,000 people and 100,000 posts took 36 s instead of 14 s.)

    Every row of a model carries the same keys; `flush` runs inside the caller's transaction.
    """

    def __init__(self) -> None:
        self.rows: dict[type[models.Model], list[dict[str, Any]]] = {}
        self.use_copy = connection.vendor == "postgresql"

    def add(self, model: type[models.Model], row: dict[str, Any]) -> None:
        self.rows.setdefault(model, []).append(row)

    def pending(self, model: type[models.Model]) -> int:
        return len(self.rows.get(model, ()))

    def flush(self) -> None:
        for model, rows in self.rows.items():
            if not rows:
                continue
            if self.use_copy:
                self._copy(model, rows)
            else:
                model._default_manager.bulk_create([model(**row) for row in rows],
                                                   batch_size=1000)
        self.rows = {}

    @staticmethod
    def _copy(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
        given = list(rows[0])
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        # Columns the generator does not know about (added to the model later) get their
        # model default, as `bulk_create` would give them.
        missing = [f for a, f in by_attname.items() if a not in rows[0] and not f.primary_key]
        defaults = [f.get_default() for f in missing]
        columns = ", ".join(
            connection.ops.quote_name(f.column) for f in [by_attname[a] for a in given] + missing
        )
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            # Django's cursor wraps psycopg's, which speaks COPY.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[a] for a in given] + defaults)


# --------------------------------------------------------------------------------------------
# The plan of the organization, kept in memory while rows stream out


@dataclass
class _Person:
    id: int
    username: str
    dept: int  # index into words.DEPARTMENTS; -1 for guests
    team: int | None  # index into _Generator.teams
    weight: float  # how active they are, relative to others
    skills: list[str]
    is_guest: bool = False
    is_bridge: bool = False


@dataclass
class _Space:
    id: int
    name: str
    slug: str
    kind: str
    visibility: str
    dept: int  # the department it belongs to; -1 for external spaces
    topics: list[words.TopicWords]
    description: str
    members: list[int] = field(default_factory=list)  # person indices
    hosts: list[int] = field(default_factory=list)
    weight: float = 1.0
    silo: bool = False
    # Filled by `seal`: weighted pickers over all members and over each department's members.
    cum: list[float] = field(default_factory=list)
    by_dept: dict[int, tuple[list[int], list[float]]] = field(default_factory=dict)
    bridges: list[int] = field(default_factory=list)

    def add(self, person: int, host: bool = False) -> bool:
        """Add a member (once); True when they were not a member yet."""
        if host and person not in self.hosts:
            self.hosts.append(person)
        if person in self._member_set:
            return False
        self._member_set.add(person)
        self.members.append(person)
        return True

    def __post_init__(self) -> None:
        self._member_set: set[int] = set()


@dataclass
class _Thread:
    """The rows of one question (with its answers) or one update or lesson."""

    posts: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)


def _cumulative(weights: Iterable[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _ts(value: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


class _Generator:
    def __init__(
        self, *, people: int, seed: int, spaces: int, posts: int, progress: bool,
        now: dt.datetime, batch_posts: int,
    ) -> None:
        self.n_people = people
        self.n_spaces = spaces
        self.n_posts = posts
        self.seed = seed
        self.rng = random.Random(seed)
        self.progress = progress
        self.now = now.timestamp()
        self.batch_posts = batch_posts
        self.writer = _Writer()
        self.ids = {m: _Ids(m) for m in (User, Space, Post, Comment)}
        self.blocks: dict[str, tuple[str, list[int]]] = {}
        self.people: list[_Person] = []
        self.spaces: list[_Space] = []
        self.teams: list[tuple[int, int, str]] = []  # (dept index, team id, name)
        self.topic_words = {t.name: t for d in words.DEPARTMENTS for t in d.topics}
        self.help_edges: Counter[tuple[int, int]] = Counter()
        self.cross_answers: Counter[int] = Counter()

    # -- the run ------------------------------------------------------------------------------

    def run(self) -> DemoSummary:
        self.topic_ids = self._ensure_topics()
        self.dept_ids = self._ensure_departments()
        self.password = make_password(DEMO_PASSWORD)  # hashed once, shared by everyone
        self._plan_people()
        self._plan_spaces()
        self._write_people()
        self._write_spaces()
        self.summary = DemoSummary(
            seed=self.seed, people=len(self.people),
            guests=sum(p.is_guest for p in self.people),
            departments=len(words.DEPARTMENTS), teams=len(self.teams), spaces=len(self.spaces),
            memberships=sum(len(s.members) for s in self.spaces),
        )
        self._write_threads()
        self._write_follows()
        self._summarize()
        return self.summary

    # -- reference data -----------------------------------------------------------------------

    def _ensure_topics(self) -> dict[str, int]:
        wanted = {t.name: t.label for d in words.DEPARTMENTS for t in d.topics}
        Topic.objects.bulk_create(
            [Topic(name=n, description=label) for n, label in wanted.items()],
            ignore_conflicts=True,
        )
        return dict(Topic.objects.filter(name__in=wanted).values_list("name", "id"))

    def _ensure_departments(self) -> list[int]:
        ids = []
        for dept in words.DEPARTMENTS:
            row, _ = Department.objects.get_or_create(
                slug=slugify(dept.name), defaults={"name": dept.name}
            )
            ids.append(row.pk)
        return ids

    # -- people -------------------------------------------------------------------------------

    def _department_sizes(self, internal: int) -> list[int]:
        """Split `internal` people by department weight, at least three in each."""
        depts = words.DEPARTMENTS
        total = sum(d.weight for d in depts)
        spare = internal - 3 * len(depts)
        raw = [spare * d.weight / total for d in depts]
        sizes = [3 + math.floor(r) for r in raw]
        by_remainder = sorted(range(len(depts)), key=lambda i: raw[i] - math.floor(raw[i]),
                              reverse=True)
        for i in by_remainder[: internal - sum(sizes)]:
            sizes[i] += 1
        return sizes

    def _plan_people(self) -> None:
        rng = self.rng
        n_guests = max(2, self.n_people // 100)
        sizes = self._department_sizes(self.n_people - n_guests)
        taken = {u.lower() for u in User.objects.values_list("username", flat=True)}
        self.demo_ids: dict[str, int] = dict(
            User.objects.filter(username__in=DEMO_LOGINS).values_list("username", "id")
        )
        self.dept_people: list[list[int]] = [[] for _ in words.DEPARTMENTS]
        self.team_people: dict[int, list[int]] = defaultdict(list)
        self.new_people: list[tuple[_Person, dict[str, Any]]] = []
        name_counts: Counter[str] = Counter()

        def username_for(first: str, last: str) -> str:
            base = slugify(f"{first}.{last}".replace(".", "-dot-")).replace("-dot-", ".")
            while True:
                name_counts[base] += 1
                n = name_counts[base]
                candidate = base if n == 1 else f"{base}{n}"
                if candidate not in taken:
                    taken.add(candidate)
                    return candidate

        teams_by_dept = self._ensure_teams(sizes)
        eng = words.DEPARTMENTS.index(words.ENGINEERING)
        ops = words.DEPARTMENTS.index(words.OPERATIONS)
        people_dept = next(i for i, d in enumerate(words.DEPARTMENTS)
                           if d.name == "People & Culture")
        # The demo logins come first so their place in the plan never depends on the size.
        fixed = {
            "ada": (ops, "Ada Lindqvist", "IT Systems Administrator", 2.0, {"is_staff": True}),
            "mira": (eng, "Mira Okafor", "Senior Software Engineer", 15.0, {}),
            "hana": (eng, "Hana Sato", "Engineering Manager", 6.0, {}),
            "eve": (people_dept, "Eve Marchetti", "Learning & Development Lead", 2.0,
                    {"is_enabler": True}),
        }
        filled = [0] * len(words.DEPARTMENTS)
        for username, (dept, name, title, weight, extra) in fixed.items():
            self._add_person(username, name, dept, teams_by_dept[dept][0], weight, title,
                             extra=extra)
            filled[dept] += 1
        for dept_index, size in enumerate(sizes):
            department = words.DEPARTMENTS[dept_index]
            team_choices = teams_by_dept[dept_index]
            for k in range(filled[dept_index], size):
                first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
                self._add_person(
                    username_for(first, last), f"{first} {last}", dept_index,
                    team_choices[k % len(team_choices)], min(rng.paretovariate(1.5), 30.0),
                    rng.choice(department.titles),
                )
        self._add_person("gita", "Gita Rao", -1, None, 5.0, "Integration Lead at Acme Corp",
                         extra={"is_guest": True})
        for k in range(n_guests - 1):
            first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
            partner = words.PARTNERS[k % len(words.PARTNERS)]
            self._add_person(
                username_for(first, last), f"{first} {last}", -1, None,
                min(rng.paretovariate(1.5), 10.0),
                f"{rng.choice(['Integration Lead', 'IT Manager', 'Project Manager'])} at "
                f"{partner}", extra={"is_guest": True},
            )
        self._plant_bridges()

    def _ensure_teams(self, sizes: Sequence[int]) -> list[list[int]]:
        """Teams of about ten, named after the department's teams (then by location)."""
        teams_by_dept: list[list[int]] = []
        for dept_index, (dept, size) in enumerate(zip(words.DEPARTMENTS, sizes, strict=True)):
            wanted = max(1, round(size / 10))
            names = []
            for k in range(wanted):
                base = dept.teams[k % len(dept.teams)]
                round_ = k // len(dept.teams)
                if round_ == 0:
                    names.append(base)
                else:
                    loc = words.LOCATIONS[(round_ - 1) % len(words.LOCATIONS)]
                    again = (round_ - 1) // len(words.LOCATIONS)
                    names.append(f"{base} {loc}" + (f" {again + 1}" if again else ""))
            department_id = self.dept_ids[dept_index]
            existing = dict(
                Team.objects.filter(department_id=department_id).values_list("slug", "id")
            )
            missing = [n for n in names if slugify(n) not in existing]
            Team.objects.bulk_create(
                [Team(name=n, slug=slugify(n), department_id=department_id) for n in missing],
                batch_size=1000,
            )
            existing = dict(
                Team.objects.filter(department_id=department_id).values_list("slug", "id")
            )
            indices = []
            for name in names:
                indices.append(len(self.teams))
                self.teams.append((dept_index, existing[slugify(name)], name))
            teams_by_dept.append(indices)
        return teams_by_dept

    def _add_person(
        self, username: str, name: str, dept: int, team: int | None, weight: float, title: str,
        extra: dict[str, Any] | None = None,
    ) -> None:
        rng = self.rng
        extra = extra or {}
        index = len(self.people)
        dept_words = words.DEPARTMENTS[dept] if dept >= 0 else None
        if dept_words is not None:
            skills = rng.sample([t.name for t in dept_words.topics], rng.randint(2, 4))
        else:
            skills = [rng.choice(EXTERNAL_TOPICS)]
        existing_id = self.demo_ids.get(username)
        person = _Person(
            id=existing_id or self.ids[User].take(), username=username, dept=dept, team=team,
            weight=weight, skills=skills, is_guest=bool(extra.get("is_guest")),
        )
        self.people.append(person)
        if dept >= 0:
            self.dept_people[dept].append(index)
        if team is not None:
            self.team_people[team].append(index)
        if existing_id:
            return  # a demo login from an earlier run: reuse the account as it is
        first, _, last = name.partition(" ")
        location = rng.choice(words.LOCATIONS)
        team_name = self.teams[team][2] if team is not None else ""
        row = {
            "id": person.id, "password": self.password, "last_login": None,
            "is_superuser": bool(extra.get("is_staff")), "username": username,
            "first_name": first, "last_name": last, "email": f"{username}@example.org",
            "is_staff": bool(extra.get("is_staff")), "is_active": True,
            "date_joined": _ts(self.now - 86400 * rng.uniform(HISTORY_DAYS + 30, 2000)),
            "display_name": name, "title": title,
            "department_id": self.dept_ids[dept] if dept >= 0 else None,
            "team_id": self.teams[team][1] if team is not None else None,
            "location": location if dept >= 0 else "",
            "bio": (f"{title} in {team_name}, based in {location}. Ask me about "
                    + " and ".join(f"#{s}" for s in skills[:2]) + ".") if dept >= 0 else "",
            "open_to_mentoring": dept >= 0 and rng.random() < 0.12,
            "is_guest": person.is_guest, "opt_out_harvest": False,
            "is_enabler": bool(extra.get("is_enabler")),
            "opt_out_analytics": dept >= 0 and username not in DEMO_LOGINS
            and rng.random() < 0.02,
            "source": "", "external_id": "",
        }
        self.new_people.append((person, row))

    def _plant_bridges(self) -> None:
        rng = self.rng
        open_depts = [i for i, d in enumerate(words.DEPARTMENTS) if not d.silo]
        candidates = [
            i for d in open_depts for i in self.dept_people[d]
            if self.people[i].username not in DEMO_LOGINS
        ]
        count = max(3, self.n_people // 2500)
        self.bridges = sorted(rng.sample(candidates, count))
        self.bridge_targets: dict[int, list[int]] = {}
        rows = {p.id: row for p, row in self.new_people}
        # Targets go round the open departments, so every one of them has a bridge in.
        cycle = itertools.cycle(open_depts)
        for index in self.bridges:
            person = self.people[index]
            person.is_bridge = True
            person.weight = max(person.weight, 3.0)
            targets: list[int] = []
            while len(targets) < 3:
                d = next(cycle)
                if d != person.dept and d not in targets:
                    targets.append(d)
            self.bridge_targets[index] = targets
            for d in targets:
                extra_skill = rng.choice(words.DEPARTMENTS[d].topics).name
                if extra_skill not in person.skills:
                    person.skills.append(extra_skill)
            row = rows[person.id]
            row["open_to_mentoring"] = True
            row["opt_out_analytics"] = False

    def _write_people(self) -> None:
        through = User.skills.through
        bar = tqdm(total=len(self.new_people), unit=" people", disable=not self.progress,
                   desc="people")
        for start in range(0, len(self.new_people), 10_000):
            chunk = self.new_people[start : start + 10_000]
            for _, row in chunk:
                self.writer.add(User, row)
            with transaction.atomic():
                self.writer.flush()
                for person, _ in chunk:
                    for skill in person.skills:
                        self.writer.add(through, {"user_id": person.id,
                                                  "topic_id": self.topic_ids[skill]})
                self.writer.flush()
            bar.update(len(chunk))
        bar.close()
        del self.new_people

    # -- spaces -------------------------------------------------------------------------------

    def _plan_spaces(self) -> None:
        rng = self.rng
        self.taken_slugs = set(Space.objects.values_list("slug", flat=True))
        depts = words.DEPARTMENTS
        dept_weights = _cumulative(d.weight for d in depts)
        n_external = max(1, min(3 * len(words.PARTNERS), self.n_spaces // 30))
        rest = self.n_spaces - len(depts) - n_external
        n_teams = min(round(rest * 0.4), len(self.teams))
        n_communities = round(rest * 0.35)
        n_projects = rest - n_teams - n_communities
        demo = {p.username: i for i, p in enumerate(self.people) if p.username in DEMO_LOGINS}

        for d, dept in enumerate(depts):
            space = self._new_space(
                dept.name, Space.Kind.DEPARTMENT, d, list(dept.topics),
                f"The {dept.name} department: news, questions and how we work.",
                private=dept.silo,
            )
            for i in self.dept_people[d]:
                space.add(i)
            hosts = [demo["hana"]] if d == depts.index(words.ENGINEERING) else []
            hosts += rng.sample([i for i in self.dept_people[d] if i != demo["mira"]], 1)
            for h in hosts:
                space.add(h, host=True)

        # Team spaces: mira's team first, so the member demo login has a team space.
        team_order = list(range(len(self.teams)))
        rng.shuffle(team_order)
        mira_team = self.people[demo["mira"]].team
        team_order.remove(mira_team)  # type: ignore[arg-type]
        for t in [mira_team, *team_order][:n_teams]:
            assert t is not None
            d, _, team_name = self.teams[t]
            topics = rng.sample(list(depts[d].topics), min(3, len(depts[d].topics)))
            space = self._new_space(
                team_name, Space.Kind.TEAM, d, topics,
                f"Team space of {team_name} ({depts[d].name}).",
                private=depts[d].silo or rng.random() < 0.3,
            )
            members = self.team_people[t]
            for i in members:
                space.add(i)
            space.add(self._first_host(space), host=True)

        for c in range(n_communities):
            d = bisect_left(dept_weights, rng.random() * dept_weights[-1])
            if c == 0:
                d = depts.index(words.ENGINEERING)
            topic = rng.choice(depts[d].topics)
            pattern = rng.choice(words.COMMUNITY_PATTERNS)
            space = self._new_space(
                pattern.format(label=topic.label), Space.Kind.COMMUNITY, d, [topic],
                rng.choice(words.COMMUNITY_DESCRIPTIONS).format(label_lower=topic.label.lower()),
                private=depts[d].silo,
            )
            size = int(min(len(self.dept_people[d]), 4 + rng.lognormvariate(3.3, 1.0)))
            for i in rng.sample(self.dept_people[d], size):
                space.add(i)
            share = SILO_OUTSIDER_SHARE if depts[d].silo else OUTSIDER_SHARE
            self._add_outsiders(space, d, int(size * share))
            space.add(self._first_host(space), host=True)
            if c == 0:
                space.add(demo["hana"], host=True)
                space.add(demo["mira"])

        for _ in range(n_projects):
            d = bisect_left(dept_weights, rng.random() * dept_weights[-1])
            name = f"{rng.choice(words.PROJECT_CODENAMES)}: {rng.choice(depts[d].projects)}"
            topics = rng.sample(list(depts[d].topics), 2)
            space = self._new_space(
                name, Space.Kind.PROJECT, d, topics,
                f"Project space for {name.split(': ', 1)[1].lower()}.",
                private=depts[d].silo or rng.random() < 0.7,
            )
            size = min(len(self.dept_people[d]), rng.randint(4, 20))
            for i in rng.sample(self.dept_people[d], size):
                space.add(i)
            if not depts[d].silo:
                self._add_outsiders(space, d, max(1, size // 5))
            space.add(self._first_host(space), host=True)

        guests = [i for i, p in enumerate(self.people) if p.is_guest]
        inside = [i for d, dept in enumerate(depts) if dept.name in ("Sales", "Customer Success",
                                                                    "Engineering")
                  for i in self.dept_people[d]]
        external_topics = [self.topic_words[n] for n in EXTERNAL_TOPICS]
        externals = []
        for e in range(n_external):
            partner = words.PARTNERS[e % len(words.PARTNERS)]
            pattern = words.EXTERNAL_PATTERNS[(e // len(words.PARTNERS))
                                              % len(words.EXTERNAL_PATTERNS)]
            space = self._new_space(
                pattern.format(partner=partner), Space.Kind.PROJECT, -1, external_topics,
                f"Working together with {partner}: onboarding, integration and support.",
                external=True,
            )
            if e == 0:
                space.add(demo["hana"], host=True)
            for i in rng.sample(inside, min(len(inside), rng.randint(3, 10))):
                space.add(i)
            space.add(self._first_host(space), host=True)
            externals.append(space)
        for k, g in enumerate(guests):
            externals[k % len(externals)].add(g)
            if rng.random() < 0.3:
                rng.choice(externals).add(g)

        # Bridges join the department space and up to two communities of each target.
        for b in self.bridges:
            for d in self.bridge_targets[b]:
                own = [s for s in self.spaces if s.dept == d and not s.silo
                       and s.kind in (Space.Kind.DEPARTMENT, Space.Kind.COMMUNITY)]
                communities = [s for s in own if s.kind == Space.Kind.COMMUNITY]
                chosen = [s for s in own if s.kind == Space.Kind.DEPARTMENT]
                chosen += rng.sample(communities, min(2, len(communities)))
                for s in chosen:
                    s.add(b)
                    s.bridges.append(b)

        for space in self.spaces:
            self._seal(space)

    def _first_host(self, space: _Space) -> int:
        """The member who started the space: never the guest or the plain-member demo login,
        so `mira` shows what a member without host duties sees."""
        for i in space.members:
            person = self.people[i]
            if not person.is_guest and person.username != "mira":
                return i
        return space.members[0]

    def _add_outsiders(self, space: _Space, dept: int, count: int) -> None:
        """Add `count` members from other non-silo departments (silo people stay home)."""
        others = [d for d, w in enumerate(words.DEPARTMENTS) if d != dept and not w.silo]
        for _ in range(count):
            pool = self.dept_people[self.rng.choice(others)]
            space.add(self.rng.choice(pool))

    def _new_space(
        self, name: str, kind: str, dept: int, topics: list[words.TopicWords],
        description: str, private: bool = False, external: bool = False,
    ) -> _Space:
        base = slugify(name)[:100] or "space"
        slug, n = base, 2
        while slug in self.taken_slugs:
            slug, n = f"{base}-{n}", n + 1
        self.taken_slugs.add(slug)
        visibility = (Space.Visibility.EXTERNAL if external else
                      Space.Visibility.PRIVATE if private else Space.Visibility.OPEN)
        space = _Space(
            id=self.ids[Space].take(), name=name, slug=slug, kind=kind, visibility=visibility,
            dept=dept, topics=topics, description=description,
            silo=dept >= 0 and words.DEPARTMENTS[dept].silo,
        )
        self.spaces.append(space)
        return space

    def _seal(self, space: _Space) -> None:
        """Weighted pickers over the members, and how busy the space is."""
        people = self.people
        # People visiting from another department mostly read; they ask and answer less.
        weight = {
            i: people[i].weight * (1.0 if space.dept in (-1, people[i].dept)
                                   else OUTSIDER_ACTIVITY)
            for i in space.members
        }
        space.cum = _cumulative(weight[i] for i in space.members)
        grouped: dict[int, list[int]] = defaultdict(list)
        for i in space.members:
            grouped[people[i].dept].append(i)
        space.by_dept = {
            d: (members, _cumulative(weight[i] for i in members))
            for d, members in grouped.items()
        }
        # Some spaces are ghost towns; the rest are busy in proportion to their size.
        ghost = self.rng.random() < 0.08 and space.kind != Space.Kind.DEPARTMENT
        liveliness = 0.03 if ghost else self.rng.lognormvariate(0, 0.5)
        space.weight = max(1, len(space.members)) ** 0.7 * liveliness

    def _write_spaces(self) -> None:
        created = {}
        for space in self.spaces:
            when = self.now - 86400 * self.rng.uniform(HISTORY_DAYS + 5, HISTORY_DAYS + 300)
            created[space.id] = when
            self.writer.add(Space, {
                "id": space.id, "name": space.name, "slug": space.slug,
                "description": space.description, "visibility": space.visibility,
                "kind": space.kind, "created_by_id": self.people[space.hosts[0]].id,
                "created_at": _ts(when), "source": "", "external_id": "",
            })
        memberships = 0
        with transaction.atomic():
            self.writer.flush()
            for space in self.spaces:
                hosts = set(space.hosts)
                for i in space.members:
                    joined = created[space.id] + 86400 * self.rng.uniform(0, 30)
                    self.writer.add(Membership, {
                        "space_id": space.id, "user_id": self.people[i].id,
                        "role": Membership.Role.HOST if i in hosts else Membership.Role.MEMBER,
                        "joined_at": _ts(joined),
                    })
                    memberships += 1
                    if self.writer.pending(Membership) >= 20_000:
                        self.writer.flush()
            self.writer.flush()
        if not self.writer.use_copy:
            # bulk_create stamps auto_now_add fields with the insert time; put the planned
            # creation dates back so a space is older than its posts.
            for space_id, when in created.items():
                Space.objects.filter(pk=space_id).update(created_at=_ts(when))

    # -- threads ------------------------------------------------------------------------------

    def _pick(self, members: list[int], cum: list[float]) -> int:
        return members[bisect_left(cum, self.rng.random() * cum[-1])]

    def _pick_member(self, space: _Space, avoid: set[int]) -> int | None:
        for _ in range(6):
            i = self._pick(space.members, space.cum)
            if i not in avoid:
                return i
        rest = [i for i in space.members if i not in avoid]
        return self.rng.choice(rest) if rest else None

    def _pick_answerer(self, space: _Space, asker: int, avoid: set[int]) -> int | None:
        rng = self.rng
        asker_dept = self.people[asker].dept
        if space.bridges and asker_dept >= 0 and rng.random() < BRIDGE_ANSWER_RATE:
            # Round-robin over the bridges present, so every planted bridge gets work.
            candidates = [b for b in space.bridges
                          if self.people[b].dept != asker_dept and b not in avoid]
            if candidates:
                return min(candidates, key=lambda b: (self.cross_answers[b], b))
        # A colleague from the asker's department if there is one here, else mostly one of
        # the people the space belongs to, else anyone.
        colleagues = space.by_dept.get(asker_dept) if asker_dept >= 0 else None
        home = space.by_dept.get(space.dept) if space.dept >= 0 else None
        for group, rate in ((colleagues, SAME_DEPARTMENT_RATE), (home, HOME_ANSWER_RATE)):
            if group and rng.random() < rate:
                members, cum = group
                for _ in range(6):
                    i = self._pick(members, cum)
                    if i not in avoid:
                        return i
        return self._pick_member(space, avoid)

    def _rendered(self, text: str) -> tuple[str, list[int]]:
        """The HTML and topic ids of a text. Texts are made of a few stock paragraphs, and
        markdown renders paragraphs independently, so each paragraph is rendered once."""
        html: list[str] = []
        tags: dict[int, None] = {}
        for block in text.strip("\n").split("\n\n"):
            cached = self.blocks.get(block)
            if cached is None:
                cached = self.blocks[block] = (
                    render_markdown(block),
                    [self.topic_ids[n] for n in extract_topics(block) if n in self.topic_ids],
                )
            html.append(cached[0])
            tags.update(dict.fromkeys(cached[1]))
        return "".join(html), list(tags)

    def _post(
        self, thread: _Thread, *, kind: str, space: _Space, author: int | None, when: float,
        title: str = "", body: str = "", question: dict[str, Any] | None = None,
        lesson: tuple[str, str, str] | None = None, anonymous: bool = False,
    ) -> dict[str, Any]:
        html, topic_ids = self._rendered(body)
        tried, happened, next_time = lesson or ("", "", "")
        stamp = _ts(when)
        row: dict[str, Any] = {
            "id": self.ids[Post].take(), "kind": kind, "space_id": space.id,
            "author_id": None if author is None else self.people[author].id,
            "is_anonymous": anonymous, "title": title, "body": body, "tried": tried,
            "happened": happened, "next_time": next_time, "body_html": html,
            "question_id": question["id"] if question else None, "accepted_answer_id": None,
            "answer_count": 0, "comment_count": 0, "created_at": stamp, "updated_at": stamp,
            "last_activity_at": stamp, "source": "", "external_id": "",
        }
        thread.posts.append(row)
        if kind != Post.Kind.ANSWER:
            through = Post.topics.through
            for topic_id in topic_ids:
                self.writer.add(through, {"post_id": row["id"], "topic_id": topic_id})
        return row

    def _comment(
        self, thread: _Thread, post: dict[str, Any], author: int, when: float, body: str,
        thread_head: dict[str, Any],
    ) -> dict[str, Any]:
        html, _ = self._rendered(body)
        row = {"id": self.ids[Comment].take(), "post_id": post["id"],
               "author_id": self.people[author].id, "body": body, "body_html": html,
               "created_at": _ts(when), "source": "", "external_id": ""}
        thread.comments.append(row)
        post["comment_count"] += 1
        # A comment anywhere in a thread is activity on the thread (as do_comment records it).
        thread_head["last_activity_at"] = max(thread_head["last_activity_at"], row["created_at"])
        self.summary.comments += 1
        return row

    def _value(
        self, *, reporter: int, helper: int, when: float, post: dict[str, Any] | None = None,
        comment: dict[str, Any] | None = None, solved: bool = False, learned: bool = False,
        changed: bool = False, saved: bool = False,
    ) -> None:
        if reporter == helper:
            return  # value reports are for what others shared
        rng = self.rng
        minutes = rng.choice(words.MINUTES_SAVED) if saved else None
        self.writer.add(ValueReport, {
            "reporter_id": self.people[reporter].id,
            "post_id": post["id"] if post else None,
            "comment_id": comment["id"] if comment else None,
            "helper_id": self.people[helper].id, "solved_problem": solved,
            "saved_time": saved, "learned_something": learned, "changed_practice": changed,
            "minutes_saved": minutes, "note": rng.choice(words.VALUE_NOTES), "harvested": False,
            "created_at": _ts(when), "updated_at": _ts(when), "source": "", "external_id": "",
        })
        self.summary.value_reports += 1

    def _kudos(
        self, *, giver: int, receiver: int, when: float, post: dict[str, Any] | None = None,
        comment: dict[str, Any] | None = None,
    ) -> None:
        if giver == receiver:
            return  # kudos are for others
        rng = self.rng
        self.writer.add(Kudos, {
            "giver_id": self.people[giver].id, "receiver_id": self.people[receiver].id,
            "post_id": post["id"] if post else None,
            "comment_id": comment["id"] if comment else None,
            "message": f"Thanks for {rng.choice(words.KUDOS_WHAT)}. "
                       f"{rng.choice(words.KUDOS_IMPACT)}",
            "created_at": _ts(when),
        })
        self.summary.kudos += 1

    def _later(self, start: float, mean_hours: float) -> float:
        """A moment after `start`, never in the future."""
        return min(start + self.rng.expovariate(1 / (mean_hours * 3600)), self.now - 30)

    def _thread_start(self) -> float:
        # More recent days are busier: the organization adopted Waggle over the year.
        age = (HISTORY_DAYS * 86400 - 7200) * self.rng.random() ** 1.5 + 7200
        return self.now - age

    def _topic_for(self, space: _Space, author: int) -> words.TopicWords:
        skills = [s for s in self.people[author].skills if s in self.topic_words]
        if skills and self.rng.random() < 0.15 and not space.silo:
            return self.topic_words[self.rng.choice(skills)]
        return self.rng.choice(space.topics)

    def _question_thread(self, space: _Space, budget: int) -> _Thread:
        rng = self.rng
        thread = _Thread()
        asker = self._pick(space.members, space.cum)
        asker_person = self.people[asker]
        anonymous = (not asker_person.is_guest and asker_person.username not in DEMO_LOGINS
                     and rng.random() < ANONYMOUS_RATE)
        topic = self._topic_for(space, asker)
        context = rng.choice(words.QUESTION_CONTEXTS)
        body = rng.choice(words.QUESTION_BODIES).format(
            context=context, context_lower=context[0].lower() + context[1:],
            deadline=rng.choice(words.DEADLINES), topic=topic.name,
        )
        when = self._thread_start()
        asked = rng.randrange(len(topic.questions))
        question = self._post(
            thread, kind=Post.Kind.QUESTION, space=space, author=None if anonymous else asker,
            when=when, title=topic.questions[asked], body=body, anonymous=anonymous,
        )
        own_answers = topic.answers[asked]
        self.summary.questions += 1
        if anonymous:
            self.summary.anonymous_questions += 1
            self.anonymous.append(AuditEntry(
                actor_id=asker_person.id, action="ask_question", target_type="exchange.post",
                target_id=question["id"], data={"anonymous": True},
            ))
        wanted = rng.choices(range(len(ANSWER_COUNT_WEIGHTS)), ANSWER_COUNT_WEIGHTS)[0]
        wanted = min(wanted, budget - 1)
        answers: list[tuple[dict[str, Any], int]] = []
        avoid = {asker}
        moment = when
        for k in range(wanted):
            answerer = self._pick_answerer(space, asker, avoid)
            if answerer is None:
                break
            avoid.add(answerer)
            moment = self._later(moment, 5)
            if k < len(own_answers):
                substance = own_answers[k]
            else:
                substance = rng.choice(words.FURTHER_ANSWERS).format(
                    label=topic.label, thing=rng.choice(topic.things))
            closer = rng.choice(words.ANSWER_CLOSERS)
            text = "\n\n".join([rng.choice(words.ANSWER_OPENERS), substance]
                                + ([closer] if closer else []))
            answer = self._post(thread, kind=Post.Kind.ANSWER, space=space, author=answerer,
                                when=moment, body=text, question=question)
            answers.append((answer, answerer))
            self.summary.answers += 1
            asker_dept, answerer_dept = asker_person.dept, self.people[answerer].dept
            if not anonymous and asker_dept >= 0 and answerer_dept >= 0:
                self.help_edges[(asker_dept, answerer_dept)] += 1
                if asker_dept != answerer_dept:
                    self.cross_answers[answerer] += 1
        question["answer_count"] = len(answers)
        if answers:
            question["last_activity_at"] = max(a["created_at"] for a, _ in answers)

        # Comments on the question and on each answer; the anonymous asker stays silent.
        participants = [i for _, i in answers] + ([] if anonymous else [asker])
        for _ in range(self._few(0.6)):
            author = (rng.choice(participants) if participants and rng.random() < 0.5
                      else self._pick_member(space, {asker} if anonymous else set()))
            if author is not None:
                self._comment(thread, question, author, self._later(when, 12),
                              rng.choice(words.COMMENTS), question)
        accepted = None
        if answers and rng.random() < ACCEPT_RATE:
            accepted = rng.choice(answers)
            question["accepted_answer_id"] = accepted[0]["id"]
        for pair in answers:
            answer, answerer = pair
            start = answer["created_at"].timestamp()
            for _ in range(self._few(0.4)):
                if not anonymous and rng.random() < 0.5:
                    author, body = asker, rng.choice(words.THANKS_COMMENTS)
                else:
                    author = self._pick_member(space, {asker, answerer})
                    body = rng.choice(words.COMMENTS)
                if author is not None:
                    comment = self._comment(thread, answer, author, self._later(start, 8), body,
                                            question)
                    self._react_to_comment(space, comment, author, asker if anonymous else None)
            if pair is accepted and not anonymous:
                if rng.random() < 0.75:
                    self._value(reporter=asker, helper=answerer, post=answer,
                                when=self._later(start, 24), solved=True,
                                saved=rng.random() < 0.6, learned=rng.random() < 0.2)
                if rng.random() < 0.2:
                    self._kudos(giver=asker, receiver=answerer, post=answer,
                                when=self._later(start, 24))
            elif rng.random() < 0.15:
                reporter = self._pick_member(space, {answerer, asker} if anonymous
                                             else {answerer})
                if reporter is not None:
                    self._value(reporter=reporter, helper=answerer, post=answer,
                                when=self._later(start, 48), learned=True)
        if accepted:
            self.summary.accepted_answers += 1
        return thread

    def _react_to_comment(
        self, space: _Space, comment: dict[str, Any], author: int, hidden: int | None
    ) -> None:
        """Now and then someone says a comment saved them time, or thanks its author."""
        rng = self.rng
        avoid = {author} if hidden is None else {author, hidden}
        when = self._later(comment["created_at"].timestamp(), 24)
        if rng.random() < 0.03:
            reporter = self._pick_member(space, avoid)
            if reporter is not None:
                self._value(reporter=reporter, helper=author, comment=comment, when=when,
                            saved=True)
        if rng.random() < 0.01:
            giver = self._pick_member(space, avoid)
            if giver is not None:
                self._kudos(giver=giver, receiver=author, comment=comment, when=when)

    def _few(self, mean: float) -> int:
        """A small count with the given mean (0, 1, 2, ... falling off quickly)."""
        n, limit, p = 0, math.exp(-mean), self.rng.random()
        while p > limit and n < 6:
            n += 1
            p *= self.rng.random()
        return n

    def _shared_thread(self, space: _Space, kind: str) -> _Thread:
        """A work-out-loud update or a lesson learned, with comments, value and kudos."""
        rng = self.rng
        thread = _Thread()
        author = self._pick(space.members, space.cum)
        topic = self._topic_for(space, author)
        thing = rng.choice(topic.things)
        when = self._thread_start()
        if kind == Post.Kind.UPDATE:
            body = rng.choice(words.UPDATE_BODIES).format(
                activity=rng.choice(words.UPDATE_ACTIVITIES), thing=thing,
                status=rng.choice(words.UPDATE_STATUSES), topic=topic.name,
            )
            title = rng.choice(words.UPDATE_TITLES).format(thing=thing)
            if title:
                title = title[0].upper() + title[1:]
            post = self._post(thread, kind=kind, space=space, author=author, when=when,
                              title=title, body=body)
            self.summary.updates += 1
            value_rate, kudos_rate = 0.1, 0.02
        else:
            lesson = (rng.choice(words.LESSON_TRIED).format(thing=thing, topic=topic.name),
                      rng.choice(words.LESSON_HAPPENED), rng.choice(words.LESSON_NEXT_TIME))
            title = rng.choice(words.LESSON_TITLES).format(thing=thing)
            post = self._post(thread, kind=kind, space=space, author=author, when=when,
                              title=title[0].upper() + title[1:],
                              body=_lesson_markdown(*lesson), lesson=lesson)
            self.summary.lessons += 1
            value_rate, kudos_rate = 0.3, 0.08
        for _ in range(self._few(0.5)):
            commenter = self._pick_member(space, set())
            if commenter is not None:
                comment = self._comment(thread, post, commenter, self._later(when, 12),
                                        rng.choice(words.COMMENTS), post)
                self._react_to_comment(space, comment, commenter, None)
        if rng.random() < value_rate:
            reporter = self._pick_member(space, {author})
            if reporter is not None:
                self._value(reporter=reporter, helper=author, post=post,
                            when=self._later(when, 48), learned=True,
                            changed=kind == Post.Kind.LESSON and rng.random() < 0.5)
        if rng.random() < kudos_rate:
            giver = self._pick_member(space, {author})
            if giver is not None:
                self._kudos(giver=giver, receiver=author, post=post, when=self._later(when, 48))
        return thread

    def _write_threads(self) -> None:
        rng = self.rng
        space_cum = _cumulative(s.weight for s in self.spaces)
        self.anonymous: list[AuditEntry] = []
        done = pending = 0
        bar = tqdm(total=self.n_posts, unit=" posts", disable=not self.progress, desc="posts")
        while done < self.n_posts:
            space = self.spaces[bisect_left(space_cum, rng.random() * space_cum[-1])]
            roll = rng.random()
            if roll < QUESTION_SHARE:
                thread = self._question_thread(space, self.n_posts - done)
            elif roll < QUESTION_SHARE + UPDATE_SHARE:
                thread = self._shared_thread(space, Post.Kind.UPDATE)
            else:
                thread = self._shared_thread(space, Post.Kind.LESSON)
            for row in thread.posts:
                self.writer.add(Post, row)
            for row in thread.comments:
                self.writer.add(Comment, row)
            done += len(thread.posts)
            pending += len(thread.posts)
            if pending >= self.batch_posts:
                self._flush_threads()
                bar.update(pending)
                pending = 0
        self._flush_threads()
        bar.update(pending)
        bar.close()

    def _flush_threads(self) -> None:
        # Posts, their topics, comments, value and kudos of whole threads go in one
        # transaction, so a batch is either all there or not at all.
        with transaction.atomic():
            self.writer.flush()
            if self.anonymous:
                AuditEntry.objects.bulk_create(self.anonymous, batch_size=1000)
                self.anonymous = []

    # -- follows and the summary --------------------------------------------------------------

    def _write_follows(self) -> None:
        rng = self.rng
        memberships: dict[int, list[int]] = defaultdict(list)
        for space in self.spaces:
            for i in space.members:
                memberships[i].append(space.id)
        demo = {p.username: i for i, p in enumerate(self.people) if p.username in DEMO_LOGINS}
        reused = set(self.demo_ids.values())
        with transaction.atomic():
            for index, person in enumerate(self.people):
                if person.is_guest or person.id in reused:
                    continue  # guests follow nothing; a reused demo login keeps its follows
                rows: list[dict[str, Any]] = []
                for skill in rng.sample(person.skills, min(len(person.skills),
                                                           rng.randint(0, 2))):
                    rows.append({"topic_id": self.topic_ids[skill]})
                teammates = self.team_people.get(person.team, []) if person.team is not None \
                    else []
                followed = set()
                for _ in range(rng.randint(0, 2)):
                    if len(teammates) > 1:
                        other = rng.choice(teammates)
                        if other != index and other not in followed:
                            followed.add(other)
                            rows.append({"person_id": self.people[other].id})
                if rng.random() < 0.05:
                    bridge = rng.choice(self.bridges)
                    if bridge != index and bridge not in followed:
                        followed.add(bridge)
                        rows.append({"person_id": self.people[bridge].id})
                if person.username == "mira" and demo["hana"] not in followed:
                    rows.append({"person_id": self.people[demo["hana"]].id})
                if memberships[index] and rng.random() < 0.2:
                    rows.append({"space_id": rng.choice(memberships[index])})
                for row in rows:
                    self.writer.add(Follow, {
                        "follower_id": person.id, "person_id": row.get("person_id"),
                        "space_id": row.get("space_id"), "topic_id": row.get("topic_id"),
                        "created_at": _ts(self.now - 86400 * rng.uniform(1, HISTORY_DAYS)),
                    })
                self.summary.follows += len(rows)
                if self.writer.pending(Follow) >= 20_000:
                    self.writer.flush()
            self.writer.flush()

    def _summarize(self) -> None:
        names = [d.name for d in words.DEPARTMENTS]
        within: dict[str, float] = {}
        for d, name in enumerate(names):
            touching = sum(n for (a, b), n in self.help_edges.items() if d in (a, b))
            inside = self.help_edges.get((d, d), 0)
            within[name] = round(inside / touching, 3) if touching else 1.0
        self.summary.help_within_department = within
        self.summary.silos = [d.name for d in words.DEPARTMENTS if d.silo]
        self.summary.bridges = sorted(self.people[b].username for b in self.bridges)
        self.summary.bridge_cross_answers = {
            self.people[b].username: self.cross_answers[b] for b in self.bridges
        }
