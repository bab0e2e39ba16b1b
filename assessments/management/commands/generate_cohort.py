"""Benchmark data: a programme of N leaders, each with raters, ratings and comments, in bulk.

    manage.py generate_cohort --leaders 1000 --raters 12 [--state open] [--seed 7]

Closed (the default): every leader and every rater has submitted, as after the close.
Open: each rater (and each leader's self-assessment) has submitted with probability
``--submitted-share``; the rest are invited, with real link tokens (``assessments.tokens``),
which ``--tokens-file`` writes out (JSON lines) for a load test.

Ratings are realistic rather than uniform: each leader has a tendency, each rater a
leniency, each statement a difficulty, the self-assessment a bias of its own, plus noise;
about 8% are "Not observed" (more for some groups and statements), and some responses
comment on a theme. Rows go in with COPY on PostgreSQL and ``bulk_create`` elsewhere, a
chunk of leaders at a time, in one transaction, so a failed run leaves nothing behind.
"""

import io
import json
import os
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from accounts.roles import role_grant
from assessments import tokens
from assessments.models import (
    DEFAULT_NOMINATION_RULES,
    Assessment,
    Invitation,
    RaterGroup,
    Rating,
    Response,
    ThemeComment,
)
from assessments.services.programmes import programme_create
from framework.models import Framework, Statement

FIRST_NAMES = (
    "Aisha",
    "Ben",
    "Chloe",
    "Dev",
    "Eleanor",
    "Farah",
    "Gareth",
    "Hannah",
    "Imran",
    "Jess",
    "Kwame",
    "Laura",
    "Mohammed",
    "Niamh",
    "Oliver",
    "Priya",
    "Rhys",
    "Sarah",
    "Tom",
    "Una",
    "Vikram",
    "Wendy",
    "Yusuf",
    "Zara",
    "Amir",
    "Bethan",
    "Callum",
    "Deborah",
    "Ewan",
    "Fatima",
    "George",
    "Harriet",
    "Isaac",
    "Joanne",
    "Kieran",
    "Leah",
    "Marcus",
    "Nadia",
    "Owen",
    "Rosa",
)
LAST_NAMES = (
    "Adeyemi",
    "Brown",
    "Campbell",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "O'Brien",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Usman",
    "Vaughan",
    "Walker",
    "Xu",
    "Young",
    "Zielinski",
    "Ahmed",
    "Baker",
    "Clarke",
    "Edwards",
)
COMMENTS = (
    "Makes time to listen to people who use services and acts on what they hear.",
    "Brings partners together around what matters to people rather than to organisations.",
    "Could share the thinking behind decisions earlier, before they are made.",
    "Very clear about the purpose of the work; the team knows why it matters.",
    "Sometimes takes on too much personally instead of letting others lead.",
    "Models the values of personalised care in every meeting I have seen.",
    "I would like more opportunities to hear about the bigger picture.",
    "Handles disagreement calmly and makes it safe to raise concerns.",
    "Delivery against the plan is strong; recognition of the people doing it less so.",
    "Open about their own mistakes, which makes it easier for the rest of us.",
    "Challenges the system constructively when it gets in the way of good care.",
    "Not always visible to the wider team, though very supportive one to one.",
)
# Raters of each group as a share of the anonymous raters (the line manager comes first).
GROUP_WEIGHTS = ((RaterGroup.PEER, 5), (RaterGroup.DIRECT_REPORT, 4), (RaterGroup.OTHER, 2))
NOT_OBSERVED_RATE: dict[str, float] = {
    RaterGroup.SELF: 0.01,
    RaterGroup.LINE_MANAGER: 0.04,
    RaterGroup.PEER: 0.08,
    RaterGroup.DIRECT_REPORT: 0.08,
    RaterGroup.OTHER: 0.15,
}
COMMENT_RATE = 0.3
EMAIL_DOMAIN = "bench.example.nhs.uk"
CHUNK_LEADERS = 250


@dataclass(frozen=True)
class InvitedLink:
    """An invitation in state "invited" and the token its emailed link carries."""

    token: str
    assessment_id: int
    leader_id: int
    rater_group: str


@dataclass
class Cohort:
    programme_id: int
    admin_id: int
    assessment_ids: list[int]
    leader_ids: list[int]
    seconds: float = 0.0
    counts: dict = field(default_factory=dict)
    links: list[InvitedLink] = field(default_factory=list)


def rater_groups(raters: int, rng: random.Random) -> list[str]:
    """Groups for ``raters`` raters: a line manager (two from 30), then peers, direct reports
    and others about 5:4:2, varied a little from leader to leader."""
    if raters <= 0:
        return []
    line_managers = 2 if raters >= 30 else 1
    rest = raters - line_managers
    counts = {g: rest * w // 11 for g, w in GROUP_WEIGHTS}
    for group, _ in GROUP_WEIGHTS:  # hand out the remainder, peers first
        if sum(counts.values()) < rest:
            counts[group] += 1
    if rest >= 3 and rng.random() < 0.6:  # move one rater from one group to another
        donor, taker = rng.sample([g for g, _ in GROUP_WEIGHTS], 2)
        if counts[donor] > 1:
            counts[donor] -= 1
            counts[taker] += 1
    return [RaterGroup.LINE_MANAGER.value] * line_managers + [
        g for g, _ in GROUP_WEIGHTS for _ in range(counts[g])
    ]


class _Writer:
    """Appends rows to one table: COPY on PostgreSQL, ``bulk_create`` elsewhere."""

    def __init__(self, model, fields: list[str]):
        self.model, self.fields = model, fields
        self.copy = connection.vendor == "postgresql"
        self.rows: list[tuple] = []
        self.count = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)

    def flush(self) -> None:
        if not self.rows:
            return
        if self.copy:
            self._copy()
        else:
            names = [self.model._meta.get_field(f).attname for f in self.fields]
            objects = [self.model(**dict(zip(names, r, strict=True))) for r in self.rows]
            self.model.objects.bulk_create(objects, batch_size=2000)
        self.count += len(self.rows)
        self.rows = []

    def _copy(self) -> None:
        meta = self.model._meta
        columns = ", ".join(meta.get_field(f).column for f in self.fields)
        buffer = io.StringIO()
        buffer.writelines("\t".join(map(_copy_text, row)) + "\n" for row in self.rows)
        buffer.seek(0)
        sql = f"COPY {meta.db_table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if hasattr(raw, "copy_expert"):  # psycopg2
                raw.copy_expert(sql, buffer)
            else:  # psycopg 3
                with raw.copy(sql) as copy:
                    copy.write(buffer.getvalue())


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def cohort_generate(
    *,
    leaders: int = 1000,
    raters: int = 12,
    state: str = "closed",
    name: str | None = None,
    seed: int = 0,
    submitted_share: float = 0.5,
    framework: Framework | None = None,
) -> Cohort:
    """Create a programme of ``leaders`` leaders with ``raters`` raters each; see the module
    docstring. Returns what a benchmark needs, including the open invitations' tokens."""
    if state not in ("closed", "open"):
        raise ValueError("state is 'closed' or 'open'")
    framework = framework or Framework.objects.order_by("-pk").first()
    if framework is None:
        raise ValueError("No framework is loaded: run manage.py load_framework first.")
    started = time.monotonic()
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    now = timezone.now()
    with transaction.atomic():
        cohort = _generate(
            framework=framework,
            leaders=leaders,
            raters=raters,
            state=state,
            name=name,
            rng=rng,
            now=now,
            submitted_share=1.0 if state == "closed" else submitted_share,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (User, Assessment, Invitation, Response, Rating, ThemeComment):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    cohort.seconds = time.monotonic() - started
    return cohort


def _generate(*, framework, leaders, raters, state, name, rng, now, submitted_share) -> Cohort:
    if state == "closed":
        opens_at, closes_at = now - timedelta(days=42), now - timedelta(days=14)
    else:
        opens_at, closes_at = now - timedelta(days=7), now + timedelta(days=21)
    compositions = [rater_groups(raters, rng) for _ in range(leaders)]
    rules = {
        group: (low, max(high, *(c.count(group) for c in compositions), low))
        for group, (low, high) in DEFAULT_NOMINATION_RULES.items()
    }
    tag = uuid.uuid4().hex[:8]
    admin = User.objects.create_user(
        email=f"admin.{tag}@{EMAIL_DOMAIN}", full_name="Benchmark Programme Admin"
    )
    role_grant(user=admin, role=Role.PROGRAMME_ADMIN)
    programme = programme_create(
        created_by=admin,
        rules=rules,
        name=name or f"Benchmark cohort of {leaders} leaders ({tag})",
        framework=framework,
        opens_at=opens_at,
        closes_at=closes_at,
        closed_at=closes_at if state == "closed" else None,
    )
    users = User.objects.bulk_create(
        [
            User(
                email=f"leader{i}.{tag}@{EMAIL_DOMAIN}",
                full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                password=make_password(None),
            )
            for i in range(leaders)
        ],
        batch_size=2000,
    )
    leader_group = Group.objects.get_or_create(name=Role.LEADER.label)[0]
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=leader_group.pk) for u in users],
        batch_size=2000,
    )
    assessments = Assessment.objects.bulk_create(
        [
            Assessment(
                programme=programme, leader=u, nominations_submitted_at=opens_at + timedelta(days=2)
            )
            for u in users
        ],
        batch_size=2000,
    )
    cohort = Cohort(
        programme_id=programme.pk,
        admin_id=admin.pk,
        assessment_ids=[a.pk for a in assessments],
        leader_ids=[u.pk for u in users],
    )
    ratings = _RatingModel(framework=framework, rng=rng)
    writers = {
        "invitations": _Writer(
            Invitation,
            [
                "assessment",
                "rater_group",
                "name",
                "email",
                "state",
                "token_nonce",
                "token_hash",
                "invited_at",
                "submitted_on",
                "decline_reason",
                "created_at",
            ],
        ),
        "responses": _Writer(Response, ["id", "assessment", "rater_group", "held"]),
        "ratings": _Writer(Rating, ["id", "response", "statement", "value"]),
        "comments": _Writer(ThemeComment, ["id", "response", "theme", "text"]),
    }
    self_days = {}  # assessment id -> the day the leader submitted their self-assessment
    last_day = min(closes_at, now)
    window = max(1, (last_day - opens_at).days)
    for index, (assessment, user) in enumerate(zip(assessments, users, strict=True)):
        tendency = rng.gauss(3.6, 0.45)
        submitters: list[tuple[str, date | None]] = (
            [(RaterGroup.SELF, None)] if rng.random() < submitted_share else []
        )
        for number, group in enumerate(compositions[index]):
            nonce = tokens.token_new_nonce()
            token = tokens.token_from_nonce(nonce)
            submitted = rng.random() < submitted_share
            day = (opens_at + timedelta(days=rng.randrange(window))).date() if submitted else None
            writers["invitations"].add(
                (assessment.pk, group, f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                 f"rater{number}.a{assessment.pk}@example.org",
                 Invitation.State.SUBMITTED if submitted else Invitation.State.INVITED,
                 nonce, tokens.token_hash(token), opens_at + timedelta(hours=2), day, "", now)
            )  # fmt: skip
            if submitted:
                submitters.append((group, day))
            else:
                cohort.links.append(InvitedLink(token, assessment.pk, user.pk, group))
        for group, _day in submitters:
            response_id = uuid.uuid4()
            if group == RaterGroup.SELF:
                self_days[assessment.pk] = (opens_at + timedelta(days=rng.randrange(window))).date()
            writers["responses"].add((response_id, assessment.pk, group, False))
            for statement_id, value in ratings.response(group=group, tendency=tendency):
                writers["ratings"].add((uuid.uuid4(), response_id, statement_id, value))
            for theme_id in ratings.theme_ids:
                if rng.random() < COMMENT_RATE:
                    text = " ".join(rng.sample(COMMENTS, rng.choice((1, 1, 2))))
                    writers["comments"].add((uuid.uuid4(), response_id, theme_id, text))
        if (index + 1) % CHUNK_LEADERS == 0:
            _flush(writers)
    _flush(writers)
    for assessment_id, day in self_days.items():
        Assessment.objects.filter(pk=assessment_id).update(self_submitted_on=day)
    cohort.counts = {
        "leaders": leaders,
        "raters_per_leader": raters,
        **{key: writer.count for key, writer in writers.items()},
        "open_links": len(cohort.links),
    }
    return cohort


def _flush(writers) -> None:
    for key in ("invitations", "responses", "ratings", "comments"):  # parents first
        writers[key].flush()


class _RatingModel:
    """Ratings drawn as tendency + rater leniency + statement difficulty + noise, on the scale."""

    def __init__(self, *, framework, rng: random.Random):
        self.rng = rng
        statements = Statement.objects.filter(quality__theme__framework=framework).order_by(
            "quality__theme__order", "quality__order", "order"
        )
        rows = list(statements.values_list("pk", "quality__theme_id"))
        self.statement_ids = [pk for pk, _ in rows]
        self.theme_ids = list(dict.fromkeys(theme for _, theme in rows))
        values = sorted(
            v for v in framework.scale.points.values_list("value", flat=True) if v is not None
        )
        self.low, self.high = values[0], values[-1]
        self.difficulty = {pk: rng.gauss(0, 0.25) for pk in self.statement_ids}
        # Some behaviours are harder to see from outside: up to 2.5 times the group's rate.
        self.visibility = {
            pk: rng.choice((0.5, 0.8, 1.0, 1.0, 1.2, 2.5)) for pk in self.statement_ids
        }

    def response(self, *, group: str, tendency: float):
        rng = self.rng
        bias = rng.gauss(0.2, 0.5) if group == RaterGroup.SELF else rng.gauss(0, 0.4)
        not_observed = NOT_OBSERVED_RATE[group]
        for pk in self.statement_ids:
            if rng.random() < not_observed * self.visibility[pk]:
                yield pk, None
                continue
            score = tendency + bias + self.difficulty[pk] + rng.gauss(0, 0.7)
            yield pk, min(self.high, max(self.low, round(score)))


class Command(BaseCommand):
    help = "Create a benchmark programme of N leaders with raters, ratings and comments, in bulk."

    def add_arguments(self, parser):
        parser.add_argument("--leaders", type=int, default=1000)
        parser.add_argument("--raters", type=int, default=12, help="Raters per leader.")
        parser.add_argument("--programme-name", default=None)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--state", choices=("closed", "open"), default="closed")
        parser.add_argument(
            "--submitted-share",
            type=float,
            default=0.5,
            help="Open programmes: the share of raters (and self-assessments) already submitted.",
        )
        parser.add_argument(
            "--tokens-file", default=None, help="Write the open invitations' links as JSON lines."
        )

    def handle(self, *args, **options):
        if options["leaders"] < 1 or options["raters"] < 0:
            raise CommandError("--leaders must be 1 or more and --raters 0 or more.")
        if not 0 <= options["submitted_share"] <= 1:
            raise CommandError("--submitted-share is between 0 and 1.")
        try:
            cohort = cohort_generate(
                leaders=options["leaders"],
                raters=options["raters"],
                state=options["state"],
                name=options["programme_name"],
                seed=options["seed"],
                submitted_share=options["submitted_share"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["tokens_file"]:
            descriptor = os.open(
                options["tokens_file"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600
            )
            with os.fdopen(descriptor, "w") as out:
                for link in cohort.links:
                    out.write(json.dumps(link.__dict__) + "\n")
        counts = ", ".join(f"{value:,} {key}" for key, value in cohort.counts.items())
        self.stdout.write(
            f"Programme {cohort.programme_id} ({options['state']}): {counts} "
            f"in {cohort.seconds:.1f} s."
        )
