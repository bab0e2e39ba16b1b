"""Reminding raters who have not finished, and leaders with work left: on schedule, and by
hand.

A scheduled round exists once per programme and number of days before the close (a
database constraint), and a rater is reminded once per round (another): running the
hourly task twice, or on two machines at once, sends nothing twice. Leaders are reminded
in the same rounds of what only they can do (``leader_outstanding``); their email says
what is still left when it is sent, and is not sent if nothing is.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.delivery import addresses_bounced
from accounts.emails import email_queue
from accounts.models import OutboxEmail, User

from ..models import (
    Assessment,
    Invitation,
    Programme,
    Reminder,
    ReminderRound,
)
from .nominations import nominations_status

# A manual round skips anyone invited or reminded this recently: a double click, or two
# admins pressing the button, do not send two emails.
MANUAL_REMINDER_GAP = timedelta(hours=12)


def leader_outstanding(*, assessment: Assessment) -> list[str]:
    """What the leader still has to do themselves, as lines of their reminder email."""
    items = []
    if assessment.self_submitted_on is None:
        items.append("Complete your self-assessment")
    nominations = nominations_status(assessment=assessment)
    if nominations.missing:
        items.append("Nominate your raters: " + "; ".join(nominations.missing).lower())
    waiting_for_approval = (
        assessment.programme.nominations_need_approval and not assessment.nominations_approved_at
    )
    if nominations.not_yet_invited and not waiting_for_approval:
        count = nominations.not_yet_invited
        items.append(
            f"Send the invitations to the {count} rater{'s' if count != 1 else ''} "
            "you have nominated"
        )
    return items


def reminders_send_due(*, now=None) -> int:
    """Send every scheduled round that has come due. Returns how many raters it reminded
    (leaders with work left are reminded in the same round).

    When several rounds are due at once (the task did not run for days, or the programme
    opened late) only the latest goes: nobody gets the 7-day and the 3-day reminder
    together. A round due before the programme opened is skipped.
    """
    now = now or timezone.now()
    open_programmes = Programme.objects.filter(
        opens_at__lte=now, closes_at__gt=now, closed_at__isnull=True, released_at__isnull=True
    )
    reminded = 0
    for programme in open_programmes:
        due = [
            days
            for days in _reminder_days(programme)
            if programme.opens_at <= programme.closes_at - timedelta(days=days) <= now
        ]
        if due:
            reminded += _scheduled_round_send(programme=programme, days=min(due))
    return reminded


def reminder_round_send(
    *, programme: Programme, assessment: Assessment | None = None, by: User | None, now=None
) -> ReminderRound:
    """Remind, now, every rater of one leader (or of the whole programme) who has not
    finished, except those invited or reminded in the last 12 hours."""
    now = now or timezone.now()
    if programme.state_at(now) != Programme.State.OPEN:
        raise ValidationError("Reminders can only be sent while the programme is open.")
    if assessment is not None and assessment.programme_id != programme.pk:
        raise ValidationError("This leader is not in this programme.")
    with transaction.atomic():
        due = (
            _open_invitations(programme=programme, assessment=assessment)
            .exclude(invited_at__gte=now - MANUAL_REMINDER_GAP)
            .exclude(reminders__round__created_at__gte=now - MANUAL_REMINDER_GAP)
        )
        invitations = _deliverable(list(due.select_for_update(of=("self",))))
        leaders = _leaders_with_work(
            programme=programme, assessment=assessment, not_since=now - MANUAL_REMINDER_GAP
        )
        if not invitations and not leaders:
            raise ValidationError(
                "There is no one to remind: every rater has responded or declined, or was "
                "invited or reminded in the last 12 hours, or their email address bounced, "
                "and no leader has anything left to do (or was reminded in the last 12 hours)."
            )
        round_ = ReminderRound.objects.create(
            programme=programme, assessment=assessment, created_by=by
        )
        _round_remind(round_=round_, invitations=invitations)
        _leaders_remind(leaders)
    return round_


def _scheduled_round_send(*, programme: Programme, days: int) -> int:
    with transaction.atomic():
        # The constraint makes this the one place a round is born: a concurrent run
        # waits for ours to commit, then finds the round and sends nothing.
        round_, created = ReminderRound.objects.get_or_create(
            programme=programme, days_before_close=days
        )
        if not created:
            return 0
        invitations = _deliverable(list(_open_invitations(programme=programme)))
        _leaders_remind(_leaders_with_work(programme=programme))
        return _round_remind(round_=round_, invitations=invitations)


def _round_remind(*, round_: ReminderRound, invitations: list[Invitation]) -> int:
    Reminder.objects.bulk_create(
        [Reminder(round=round_, invitation=invitation) for invitation in invitations],
        ignore_conflicts=True,
    )
    for invitation in invitations:
        email_queue(
            kind="rater_reminder", to=invitation.email, context={"invitation_id": invitation.pk}
        )
    return len(invitations)


def _deliverable(invitations: list[Invitation]) -> list[Invitation]:
    """Leave out raters whose address bounced for good (GOV.UK Notify said so of the latest
    email to it): reminding them cannot reach anyone. An admin sees "Email bounced" beside
    them, and a corrected address is reminded again."""
    bounced = addresses_bounced(invitation.email for invitation in invitations)
    return [invitation for invitation in invitations if invitation.email.lower() not in bounced]


def _leaders_with_work(
    *, programme: Programme, assessment: Assessment | None = None, not_since=None
) -> list[Assessment]:
    """The assessments whose leader has something left to do, leaving out those reminded
    since ``not_since`` (the outbox is the record: one leader_reminder row per reminder)."""
    queryset = programme.assessments.select_related("leader", "programme").order_by("pk")
    if assessment is not None:
        queryset = queryset.filter(pk=assessment.pk)
    if not_since is not None:
        recent = OutboxEmail.objects.filter(
            kind="leader_reminder", created_at__gte=not_since
        ).values_list("context__assessment_id", flat=True)
        queryset = queryset.exclude(pk__in=[pk for pk in recent if pk is not None])
    assessments = list(queryset)
    bounced = addresses_bounced(a.leader.email for a in assessments)  # as for raters
    return [
        a
        for a in assessments
        if a.leader.email.lower() not in bounced and leader_outstanding(assessment=a)
    ]


def _leaders_remind(assessments: list[Assessment]) -> None:
    for assessment in assessments:
        email_queue(
            kind="leader_reminder",
            to=assessment.leader.email,
            context={"assessment_id": assessment.pk},
        )


def _open_invitations(
    *, programme: Programme, assessment: Assessment | None = None
) -> QuerySet[Invitation]:
    invitations = Invitation.objects.filter(
        assessment__programme=programme, state__in=Invitation.OPEN_STATES
    )
    if assessment is not None:
        invitations = invitations.filter(assessment=assessment)
    return invitations.order_by("pk")


def _reminder_days(programme: Programme) -> list[int]:
    days = programme.reminder_days if isinstance(programme.reminder_days, list) else []
    return sorted({d for d in days if isinstance(d, int) and not isinstance(d, bool) and d > 0})
