"""Writes: recording a debrief (and releasing the reports with it), saving and submitting
a plan, a facilitator's comments, and the review reminders.

``debrief_record`` is the facilitator's release: the debrief and the release are one
transaction, so a refused release (``reports.release.assessment_reports_release``) records
no debrief either. The debrief is audited with its date, never its notes.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record, person_ref
from accounts.emails import email_queue
from accounts.models import AuditAction, User
from assessments.models import Assessment
from reports.release import assessment_reports_release

from .models import MAX_GOALS, MIN_GOALS, Debrief, DevelopmentPlan, Goal

NOTES_MAX_LENGTH = 5000
# How long before a goal's review date its reminder goes out.
REMINDER_DAYS_BEFORE = 7
GOAL_FIELDS = ("quality", "goal", "actions", "support", "success_measure", "review_on")
REQUIRED_TO_SUBMIT = ("quality", "goal", "actions", "success_measure", "review_on")


def debrief_record(
    *, assessment: Assessment, by: User, held_on: date, notes: str, release: bool = False
) -> Debrief:
    """Record (or correct) the debrief; with ``release``, release the reports in the same
    step. Raises ValidationError, and changes nothing, if the release is refused."""
    notes = notes.strip()
    if len(notes) > NOTES_MAX_LENGTH:
        raise ValidationError(f"Notes must be {NOTES_MAX_LENGTH} characters or fewer")
    if held_on > timezone.localdate():
        raise ValidationError("The date of the debrief must be today or in the past")
    with transaction.atomic():
        debrief, created = Debrief.objects.update_or_create(
            assessment=assessment,
            defaults={"held_on": held_on, "notes": notes, "recorded_by": by},
        )
        audit_record(
            actor=by,
            action=AuditAction.DEBRIEF_RECORDED,
            programme=assessment.programme,
            obj=assessment,
            detail={
                "leader": person_ref(assessment.leader),
                "held_on": held_on.isoformat(),
                "corrected": not created,
                "released": bool(release),
            },
        )
        if release:
            assessment_reports_release(assessment=assessment, by=by)
    return debrief


@dataclass
class GoalInput:
    """What the leader typed for one goal (cleaned by ``development.forms.GoalForm``)."""

    quality: object = None
    goal: str = ""
    actions: str = ""
    support: str = ""
    success_measure: str = ""
    review_on: date | None = None

    @property
    def started(self) -> bool:
        return any(getattr(self, name) for name in GOAL_FIELDS)


def plan_save(*, assessment: Assessment, goals: list[GoalInput], submit: bool) -> DevelopmentPlan:
    """Save the leader's goals as a draft or submitted: ``goals[0]`` is goal 1, and so on;
    a goal with nothing typed is removed (with the facilitator's comment on it).

    A draft keeps whatever was typed; submitting asks for 2 to 5 complete goals. Goals keep
    their numbers, so a comment stays with the goal it was written about."""
    if len(goals) > MAX_GOALS and any(g.started for g in goals[MAX_GOALS:]):
        raise ValidationError(f"A plan has at most {MAX_GOALS} goals")
    started = [g for g in goals[:MAX_GOALS] if g.started]
    if not started:
        raise ValidationError("Enter at least one goal before you save your plan")
    if submit and len(started) < MIN_GOALS:
        raise ValidationError(
            f"Enter at least {MIN_GOALS} goals before you submit your plan. "
            "You can save it as a draft now."
        )
    with transaction.atomic():
        plan, _ = DevelopmentPlan.objects.select_for_update().get_or_create(assessment=assessment)
        existing = {goal.position: goal for goal in plan.goals.all()}
        for position, data in enumerate(goals[:MAX_GOALS], start=1):
            if not data.started:
                continue
            goal = existing.pop(position, None) or Goal(plan=plan, position=position)
            for name in GOAL_FIELDS:
                setattr(goal, name, getattr(data, name))
            goal.save()
        Goal.objects.filter(pk__in=[g.pk for g in existing.values()]).delete()
        plan.submitted_at = timezone.now() if submit else None
        plan.save(update_fields=["submitted_at", "updated_at"])
    return plan


def goal_comments_save(*, plan: DevelopmentPlan, comments: dict[int, str]) -> int:
    """The facilitator's comment on each goal (goal pk → text). Returns the goals changed."""
    changed = 0
    now = timezone.now()
    with transaction.atomic():
        for goal in plan.goals.select_for_update():
            text = comments.get(goal.pk, goal.facilitator_comment).strip()
            if text != goal.facilitator_comment:
                goal.facilitator_comment = text
                goal.commented_at = now if text else None
                goal.save(update_fields=["facilitator_comment", "commented_at"])
                changed += 1
    return changed


def plan_review_reminders_send(*, now=None) -> int:
    """Email the leader about each goal whose review date is within
    ``REMINDER_DAYS_BEFORE`` days: once per goal per review date. Returns emails queued."""
    today = timezone.localdate(now)
    due = Goal.objects.filter(
        review_on__gte=today,
        review_on__lte=today + timedelta(days=REMINDER_DAYS_BEFORE),
        plan__assessment__leader__is_active=True,
    ).select_related("plan__assessment__leader")
    sent = 0
    for goal in due:
        review_on = goal.review_on
        assert review_on is not None, "due goals have a review date (review_on__gte above)"
        if goal.reminded_for == goal.review_on:
            continue
        with transaction.atomic():
            claimed = (
                Goal.objects.filter(pk=goal.pk, review_on=goal.review_on)
                .exclude(reminded_for=goal.review_on)
                .update(reminded_for=goal.review_on)
            )
            if not claimed:
                continue
            email_queue(
                kind="plan_review_reminder",
                to=goal.plan.assessment.leader.email,
                context={"goal_id": goal.pk, "review_on": review_on.isoformat()},
            )
            sent += 1
    return sent
