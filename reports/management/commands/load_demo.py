"""Demo data for the quick start: every screen has something real to show.

Two programmes run against the loaded framework:
- "Demo cohort 1 (closed)": 12 leaders, each with a self-assessment and 6–8 raters who
  submitted, then closed, reports rendered and released — so the leader reports, the PDFs
  and the cohort exports show real figures.
- "Demo cohort 1 follow-up (closed)": a follow-up of cohort 1 (Programme.follows): Alex
  and three more leaders re-nominated last time's raters and were rated again, then it
  closed and was released - so Alex's reports show the change, and the admin sees the
  programme impact. Only Alex's PDFs are rendered.
- "Demo cohort 2 (open)": mid-cycle. Its first leader has a self-assessment and raters in
  every state (nominated, invited, started with a draft, submitted, declined, revoked),
  invited days ago; two more leaders have their self-assessment to do. A reminder round
  can be sent at once.

Running it again changes nothing and prints the sign-ins again. Refuses to run when DEBUG
is off, so it can never seed a real deployment.
"""

import logging
import random
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Role, User
from accounts.roles import role_grant
from assessments.models import Assessment, Invitation, Programme, RaterGroup
from assessments.services.invitations import invitation_revoke
from assessments.services.nominations import invitation_nominate, invitations_send
from assessments.services.programmes import assessment_create, programme_close, programme_create
from assessments.services.responses import (
    draft_save,
    invitation_decline,
    invitation_start,
    response_submit,
)
from assessments.signals import demo_leader_released
from assessments.tokens import token_from_nonce
from framework.models import Framework, Statement
from framework.services import framework_fixture_paths, framework_load_file

DEMO_PASSWORD = "demo-password-360"  # noqa: S105 — printed for the quick start only
CLOSED_NAME = "Demo cohort 1 (closed)"
OPEN_NAME = "Demo cohort 2 (open)"
FOLLOW_UP_NAME = "Demo cohort 1 follow-up (closed)"
FOLLOW_UP_LEADERS = 4  # rated again: at least k, so the programme impact shows figures

LEADERS = [
    "Alex Morgan",
    "Priya Shah",
    "Tom Okafor",
    "Grace Lewis",
    "Hamid Rahman",
    "Chloe Evans",
    "Ben Adeyemi",
    "Sophie Turner",
    "Daniel Kowalski",
    "Aisha Begum",
    "Rhys Jones",
    "Mei Chen",
]
COMMENTS = [
    "Brings people who use services into every planning meeting, not just the consultation.",
    "I would like to see more of the thinking behind decisions shared with the wider team.",
    "Very good at connecting us with the voluntary sector and community groups.",
    "Sometimes takes on too much alone; could share ownership more.",
    "Listens carefully and follows up, which builds a lot of trust.",
]
GROUPS = (
    [RaterGroup.LINE_MANAGER]
    + [RaterGroup.PEER] * 3
    + [RaterGroup.DIRECT_REPORT] * 2
    + [RaterGroup.OTHER] * 2
)


class Command(BaseCommand):
    help = "Load demo programmes and people for the quick start (safe to run again)."

    def handle(self, *args, **options):
        for name in ("celery", "reports", "accounts", "assessments"):
            logging.getLogger(name).setLevel(logging.WARNING)
        if not settings.DEBUG:
            raise CommandError("load_demo only runs with DEBUG on: it creates known passwords.")
        framework = Framework.objects.order_by("-id").first()
        if framework is None:
            for path in framework_fixture_paths():
                framework_load_file(path=path)
            framework = Framework.objects.order_by("-id").first()
        # Dozens of demo emails would bury the sign-ins; keep them out of the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            admin, facilitator = self._staff()
            if not Programme.objects.filter(name=CLOSED_NAME).exists():
                self.stdout.write("Building the closed demo cohort and its reports…")
                self._closed_programme(framework, admin, facilitator)
            if not Programme.objects.filter(name=FOLLOW_UP_NAME).exists():
                self._follow_up_programme(admin)
            if not Programme.objects.filter(name=OPEN_NAME).exists():
                self._open_programme(framework, admin, facilitator)
        self._print_sign_ins()

    def _user(self, email, name, *roles, superuser=False):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                full_name=name,
                password=DEMO_PASSWORD,
                is_staff=superuser,
                is_superuser=superuser,
            )
        for role in roles:
            role_grant(user=user, role=role)
        return user

    def _staff(self):
        self._user("superuser@demo.lpc360.test", "Sam Superuser", superuser=True)
        admin = self._user("admin@demo.lpc360.test", "Pat Admin", Role.PROGRAMME_ADMIN)
        facilitator = self._user(
            "facilitator@demo.lpc360.test", "Fran Facilitator", Role.FACILITATOR
        )
        return admin, facilitator

    def _programme(self, framework, admin, facilitator, name, opened_days_ago, closes_in_days):
        now = timezone.now()
        programme = programme_create(
            created_by=admin,
            name=name,
            framework=framework,
            opens_at=now - timedelta(days=opened_days_ago),
            closes_at=now + timedelta(days=closes_in_days),
        )
        programme.facilitators.add(facilitator)
        return programme

    def _leader(self, programme, name, admin, facilitator):
        email = name.lower().replace(" ", ".") + "@demo.lpc360.test"
        assessment, _ = assessment_create(
            programme=programme,
            email=email,
            full_name=name,
            facilitator=facilitator,
            added_by=admin,
        )
        leader = assessment.leader
        if not leader.has_usable_password():
            leader.set_password(DEMO_PASSWORD)
            leader.save(update_fields=["password"])
        return assessment

    def _answers(self, rng, statements, tendency):
        answers = {}
        for statement in statements:
            if rng.random() < 0.08:
                answers[str(statement.pk)] = ""
            else:
                answers[str(statement.pk)] = min(5, max(1, round(rng.gauss(tendency, 0.8))))
        return answers

    def _rate(self, rng, assessment, statements, themes, tendency, invitation=None, submit=True):
        comments = {}
        if rng.random() < 0.6:
            comments[str(rng.choice(themes).pk)] = rng.choice(COMMENTS)
        draft_save(
            assessment=assessment,
            invitation=invitation,
            answers=self._answers(rng, statements, tendency),
            comments=comments,
        )
        if submit:
            response_submit(assessment=assessment, invitation=invitation)

    def _nominate(self, assessment, admin, groups, prefix):
        invitations = []
        for n, group in enumerate(groups, start=1):
            slug = assessment.leader.full_name.split()[0].lower()
            invitations.append(
                invitation_nominate(
                    assessment=assessment,
                    by=admin,
                    rater_group=group,
                    # A letter, not a number: a rater's name is letters (accounts.names).
                    name=f"{prefix} {group.label.split(' (')[0]} {chr(64 + n)}",
                    email=f"{slug}.{group.value}.{n}@raters.demo.lpc360.test",
                )
            )
        return invitations

    @transaction.atomic
    def _closed_programme(self, framework, admin, facilitator):
        rng = random.Random(360)  # noqa: S311 — demo data, not security
        programme = self._programme(framework, admin, facilitator, CLOSED_NAME, 30, 1)
        statements = list(Statement.objects.filter(quality__theme__framework=framework))
        themes = list(framework.themes.all())
        for index, name in enumerate(LEADERS):
            assessment = self._leader(programme, name, admin, facilitator)
            tendency = 2.8 + rng.random() * 1.6
            self._rate(rng, assessment, statements, themes, min(5, tendency + 0.6))
            groups = GROUPS[: 6 + index % 3]
            self._nominate(assessment, admin, groups, "Colleague")
            invitations_send(assessment=assessment, by=admin)
            for invitation in assessment.invitations.all():
                invitation_start(invitation=invitation)
                self._rate(rng, assessment, statements, themes, tendency, invitation=invitation)
        programme_close(programme=programme)
        programme.released_at = timezone.now()
        programme.save(update_fields=["released_at"])
        # Closing asked for every leader's reports (48 PDFs, over a minute). Only Alex's four
        # are rendered now, after commit (a few seconds); the admin generates the rest from
        # the programme page, as in real life. The other requests go before they are sent,
        # so their tasks find nothing to render.
        from reports.models import ThemeReport

        first = programme.assessments.get(leader__full_name=LEADERS[0])
        ThemeReport.objects.filter(assessment__programme=programme).exclude(
            assessment=first
        ).delete()
        # A debrief and a development plan for Alex (development.demo listens).
        demo_leader_released.send(sender=self.__class__, assessment=first, facilitator=facilitator)

    @transaction.atomic
    def _follow_up_programme(self, admin):
        """Cohort 1 again: the same leaders; four re-nominate last time's raters and are
        rated a little higher; closed and released (only Alex's PDFs rendered)."""
        from assessments.services.follow_ups import (
            nominations_copy_earlier,
            programme_follow_up_create,
        )
        from reports.models import ThemeReport

        rng = random.Random(362)  # noqa: S311
        earlier = Programme.objects.get(name=CLOSED_NAME)
        programme = programme_follow_up_create(
            earlier=earlier,
            by=admin,
            name=FOLLOW_UP_NAME,
            opens_at=earlier.effective_close,  # at once: the demo rates it straight away
            closes_at=timezone.now() + timedelta(days=14),
        )
        statements = list(Statement.objects.filter(quality__theme__framework=earlier.framework))
        themes = list(earlier.framework.themes.all())
        for name in LEADERS[:FOLLOW_UP_LEADERS]:
            assessment = programme.assessments.get(leader__full_name=name)
            tendency = 3.4 + rng.random() * 0.8
            self._rate(rng, assessment, statements, themes, min(5, tendency + 0.3))
            nominations_copy_earlier(assessment=assessment, by=assessment.leader)
            invitations_send(assessment=assessment, by=admin)
            for invitation in assessment.invitations.all():
                invitation_start(invitation=invitation)
                self._rate(rng, assessment, statements, themes, tendency, invitation=invitation)
        programme_close(programme=programme)
        ThemeReport.objects.filter(assessment__programme=programme).exclude(
            assessment__leader__full_name=LEADERS[0]
        ).delete()

    @transaction.atomic
    def _open_programme(self, framework, admin, facilitator):
        rng = random.Random(361)  # noqa: S311
        programme = self._programme(framework, admin, facilitator, OPEN_NAME, 5, 21)
        statements = list(Statement.objects.filter(quality__theme__framework=framework))
        themes = list(framework.themes.all())
        alex = self._leader(programme, LEADERS[0], admin, facilitator)
        self._rate(rng, alex, statements, themes, 4.0)  # self-assessment submitted
        raters = self._nominate(
            alex,
            admin,
            [RaterGroup.LINE_MANAGER] + [RaterGroup.PEER] * 4 + [RaterGroup.DIRECT_REPORT] * 2,
            "Colleague",
        )
        invitations_send(assessment=alex, by=admin)
        # Sent days ago, as mid-cycle, so the programme page's "Send reminders" has a round
        # to send now: Alex's raters who have not finished, and the leaders with work left.
        alex.invitations.filter(invited_at__isnull=False).update(
            invited_at=programme.opens_at + timedelta(days=1)
        )
        manager, *peers = raters[:5]
        invitation_start(invitation=manager)
        self._rate(rng, alex, statements, themes, 3.6, invitation=manager)
        invitation_start(invitation=peers[0])
        self._rate(rng, alex, statements, themes, 3.4, invitation=peers[0])
        invitation_start(invitation=peers[1])  # started, draft saved, not submitted
        self._rate(rng, alex, statements[:12], themes, 3.8, invitation=peers[1], submit=False)
        invitation_decline(invitation=peers[2], reason="I have only just joined the team.")
        invitation_revoke(invitation=raters[6], by=admin)
        # One more rater nominated after the invitations went out: not yet invited.
        self._nominate(alex, admin, [RaterGroup.OTHER], "Community partner")
        # Two more leaders: one mid-way through the self-assessment, one not started.
        priya = self._leader(programme, LEADERS[1], admin, facilitator)
        self._rate(rng, priya, statements[:10], themes, 3.5, submit=False)
        self._leader(programme, LEADERS[2], admin, facilitator)

    def _print_sign_ins(self):
        open_programme = Programme.objects.get(name=OPEN_NAME)
        closed = Programme.objects.get(name=CLOSED_NAME)
        alex_open = Assessment.objects.get(programme=open_programme, leader__full_name=LEADERS[0])
        site = settings.SITE_URL
        invited = alex_open.invitations.filter(state=Invitation.State.INVITED).first()
        started = alex_open.invitations.filter(state=Invitation.State.STARTED).first()
        lines = [
            "",
            "Demo sign-ins (password for all: " + DEMO_PASSWORD + ")",
            f"  Programme admin   admin@demo.lpc360.test        {site}/programmes/",
            f"  Facilitator       facilitator@demo.lpc360.test  {site}/programmes/",
            f"  Leader            alex.morgan@demo.lpc360.test  {site}/my/",
            f"  Django admin      superuser@demo.lpc360.test    {site}/admin/",
            "",
            f"  {closed.name}: 12 leaders, reports released (Alex Morgan's PDFs rendered:"
            f" {site}/my/)",
            f"  {FOLLOW_UP_NAME}: Alex Morgan's reports show the change since cohort 1;"
            f" programme impact for the admin",
            f"  {open_programme.name}: Alex Morgan has raters in every state",
        ]
        for label, invitation in (("not started", invited), ("draft saved", started)):
            if invitation and invitation.token_nonce:
                token = token_from_nonce(invitation.token_nonce)
                lines.append(f"  Rater link ({label}): {site}/feedback/{token}/")
        self.stdout.write("\n".join(lines) + "\n")
