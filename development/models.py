"""After the reports: the debrief and the leader's development plan.

Private to the leader and their facilitator: a debrief's notes and a plan's goals are read
only through ``development.access`` and ``development.selectors``; a programme admin gets
whether a debrief and a plan exist (and how many goals), never what they say. Everything
here belongs to one assessment and is deleted with it (erasure deletes assessments).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

MIN_GOALS = 2
MAX_GOALS = 5


class Debrief(models.Model):
    """The conversation about the reports: when it happened, and notes only the leader and
    their facilitator (or the leader alone, without a facilitator) may read."""

    assessment = models.OneToOneField(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="debrief"
    )
    held_on = models.DateField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Debrief on {self.held_on:%d %B %Y}"


class DevelopmentPlan(models.Model):
    """A leader's plan after their reports: a draft until they submit it."""

    assessment = models.OneToOneField(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="development_plan"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return "Development plan"


class Goal(models.Model):
    """One development goal, tied to a quality of the framework. A draft goal may be
    incomplete; a submitted plan's goals are complete (``development.forms``)."""

    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField()
    quality = models.ForeignKey(
        "framework.Quality", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    goal = models.TextField(blank=True)
    actions = models.TextField(blank=True)
    support = models.TextField(blank=True)
    success_measure = models.TextField(blank=True)
    review_on = models.DateField(null=True, blank=True)
    facilitator_comment = models.TextField(blank=True)
    commented_at = models.DateTimeField(null=True, blank=True)
    # The review date a reminder went out for: one reminder per goal per review date.
    reminded_for = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="goal_position_unique"),
        ]

    def __str__(self):
        return f"Goal {self.position}"
