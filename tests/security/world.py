"""Two programmes side by side, X and Y, with everyone who may touch one of them.

Side X: programme X (open) run by admin X and supported by facilitator X; leader A's
assessment in it, a rater invited, a nominee not yet invited; a released programme in which
leader A has a ready theme report; a ready cohort export. Side Y mirrors it for admin Y and
leader B. The URL-by-role matrix fills every URL with side X's ids, then with side Y's.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from accounts.roles import role_grant
from assessments.models import Assessment, Invitation, LeaderImport, Programme, ThemeComment
from framework.models import Theme
from reports.models import (
    CohortExport,
    ReleasedSummary,
    ReleasedThemeReport,
    ReportVersion,
    ThemeReport,
)
from tests import factories
from tests.assessments.rating.builders import invite


@dataclass
class Side:
    programme: Programme
    assessment: Assessment
    invitation: Invitation  # a rater who has opened the link and pressed Start
    token: str
    nominee: Invitation  # nominated, not yet invited: the leader may still remove it
    released_assessment: Assessment  # in a released programme, with a ready theme report
    comment: ThemeComment  # a rater's comment in the released assessment
    export: CohortExport
    leader_import: LeaderImport  # a big import, done by a worker


@dataclass
class World:
    theme: Theme
    people: dict[str, User]
    x: Side
    y: Side
    admin_ids: dict[str, str] = field(default_factory=dict)  # "<app>_<model>" → a row's pk


def _side(framework, *, admin, leader, facilitator=None) -> Side:
    programme = factories.ProgrammeFactory(framework=framework)
    programme.admins.add(admin)
    if facilitator:
        programme.facilitators.add(facilitator)
    assessment = factories.AssessmentFactory(
        programme=programme, leader=leader, facilitator=facilitator
    )
    invitation, token = invite(assessment)
    nominee = factories.InvitationFactory(assessment=assessment, state=Invitation.State.NOMINATED)

    released = factories.ProgrammeFactory(
        framework=framework,
        opens_at=timezone.now() - timedelta(days=60),
        closes_at=timezone.now() - timedelta(days=30),
        released_at=timezone.now() - timedelta(days=1),
    )
    released.admins.add(admin)
    if facilitator:
        released.facilitators.add(facilitator)
    released_assessment = factories.AssessmentFactory(
        programme=released, leader=leader, facilitator=facilitator
    )
    theme = framework.themes.order_by("order").first()
    response = factories.ResponseFactory(assessment=released_assessment)
    comment = ThemeComment.objects.create(response=response, theme=theme, text="Listens well.")
    report = ThemeReport(
        assessment=released_assessment,
        theme=theme,
        status=ThemeReport.Status.READY,
        generated_at=timezone.now(),
    )
    report.file.save("report.pdf", ContentFile(_blank_pdf()), save=False)
    report.save()
    # What the leader reads: the version released to them (reports.versions).
    version = ReportVersion.objects.create(
        assessment=released_assessment,
        number=1,
        released_at=released.released_at,
        filled_at=released.released_at,
        responses=[str(response.pk)],
    )
    snapshot = ReleasedThemeReport(version=version, theme=theme, html="<p>As released.</p>")
    snapshot.file.save("released.pdf", ContentFile(_blank_pdf()), save=False)
    snapshot.save()
    summary = ReleasedSummary(version=version, html="<p>Summary as released.</p>")
    summary.file.save("summary.pdf", ContentFile(_blank_pdf()), save=False)
    summary.save()

    export = CohortExport(
        programme=programme,
        requested_by=admin,
        kind=CohortExport.Kind.CSV,
        status=CohortExport.Status.READY,
        expires_at=timezone.now() + timedelta(days=7),
    )
    export.file.save("cohort.zip", ContentFile(b"PK matrix"), save=False)
    export.save()
    leader_import = LeaderImport.objects.create(
        programme=programme,
        created_by=admin,
        leader_file={"filename": "leaders.csv", "headings": {}, "rows": []},
        fingerprint="matrix",
        rows=600,
        status=LeaderImport.Status.DONE,
        result="Import complete: 600 new leaders added and sent an invitation.",
    )
    return Side(
        programme,
        assessment,
        invitation,
        token,
        nominee,
        released_assessment,
        comment,
        export,
        leader_import,
    )


def _blank_pdf() -> bytes:
    """A one-page PDF standing in for a rendered report ("download all" joins them)."""
    from io import BytesIO

    from pypdf import PdfWriter

    writer, out = PdfWriter(), BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


def world_build(framework) -> World:
    person = factories.UserFactory
    people = {
        "leader_a": person(full_name="Alex Leader", email="alex.a@example.nhs.uk"),
        "leader_b": person(full_name="Bo Leader", email="bo.b@example.nhs.uk"),
        "admin_x": person(full_name="Xena Admin", email="xena.x@example.nhs.uk"),
        "admin_y": person(full_name="Yan Admin", email="yan.y@example.nhs.uk"),
        "facilitator_x": person(full_name="Fran Facilitator", email="fran.x@example.nhs.uk"),
        "superuser": User.objects.create_superuser(
            email="root@example.nhs.uk", password="unused-password-1", full_name="Root"
        ),
    }
    for name in ("admin_x", "admin_y"):
        role_grant(user=people[name], role=Role.PROGRAMME_ADMIN)
    role_grant(user=people["facilitator_x"], role=Role.FACILITATOR)
    for name in ("leader_a", "leader_b"):
        role_grant(user=people[name], role=Role.LEADER)
    x = _side(
        framework,
        admin=people["admin_x"],
        leader=people["leader_a"],
        facilitator=people["facilitator_x"],
    )
    y = _side(framework, admin=people["admin_y"], leader=people["leader_b"])
    return World(framework.themes.order_by("order").first(), people, x, y)


def admin_rows_create() -> None:
    """One row for each admin page the site has no row for yet (scheduler, sign-in logs)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )

    interval = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    PeriodicTask.objects.create(name="matrix", task="matrix.task", interval=interval)
    CrontabSchedule.objects.create(minute="0", hour="6")
    SolarSchedule.objects.create(event="sunrise", latitude=51.5, longitude=-0.1)
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    seen = {"user_agent": "matrix", "ip_address": "192.0.2.1", "username": "x@example.org"}
    AccessAttempt.objects.create(failures_since_start=1, **seen)
    AccessLog.objects.create(**seen)
    AccessFailureLog.objects.create(**seen)


def world_client(world: World, role: str) -> Client:
    """A browser for one role: signed in, anonymous, or a rater who started A's link."""
    client = Client()
    if role == "rater":
        started = client.post(f"/feedback/{world.x.token}/", {"action": "start"})
        assert started.status_code == 302, started.content[:500]
    elif role != "anonymous":
        client.force_login(world.people[role])
    return client
