"""Who rates whom, and the ratings.

Programme (a cohort) → Assessment (one leader's 360) → Invitation (one rater) → Draft
(autosaved answers, encrypted) → Envelope (a rater's submitted answers, encrypted, waiting
to be sealed) → Response + Rating + ThemeComment (sealed in batches).

A Response carries the assessment and the rater group, and nothing else about its author:
no invitation, no email, no date or time, random ids, written in a random order in a batch
of at least k (assessments.services.sealing; docs/anonymity.md; PRODUCT.md, promise 5).
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from config.jobs import JobRow

MINIMUM_ANONYMITY_THRESHOLD = 3
COMMENT_MAX_LENGTH = 2000


class RaterGroup(models.TextChoices):
    SELF = "self", "Self"
    LINE_MANAGER = "line_manager", "Line manager"
    PEER = "peer", "Peer"
    DIRECT_REPORT = "direct_report", "Direct report"
    OTHER = "other", "Other (partner, community member, person who uses services)"

    @classmethod
    def nominable(cls):
        return [g for g in cls if g is not cls.SELF]


# The programme's default nomination rules: (minimum, maximum) per rater group.
DEFAULT_NOMINATION_RULES = {
    RaterGroup.LINE_MANAGER: (1, 2),
    RaterGroup.PEER: (3, 8),
    RaterGroup.DIRECT_REPORT: (0, 8),
    RaterGroup.OTHER: (0, 8),
}
DEFAULT_MINIMUM_RATERS = 5
DEFAULT_REMINDER_DAYS = [7, 3, 1]


def default_reminder_days():
    return list(DEFAULT_REMINDER_DAYS)


class Programme(models.Model):
    """A cohort of leaders assessed against one framework version in one window."""

    class ReleaseMode(models.TextChoices):
        ON_CLOSE = "on_close", "When the programme closes"
        BY_FACILITATOR = "by_facilitator", "By the facilitator, after the debrief"

    class State(models.TextChoices):
        DRAFT = "draft", "Not yet open"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        RELEASED = "released", "Reports released"

    name = models.CharField(max_length=200)
    framework = models.ForeignKey(
        "framework.Framework", on_delete=models.PROTECT, related_name="programmes"
    )
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the programme was closed, early or on time."
    )
    released_at = models.DateTimeField(null=True, blank=True)
    anonymity_threshold = models.PositiveSmallIntegerField(
        default=MINIMUM_ANONYMITY_THRESHOLD,
        help_text="k: the fewest responses a rater group needs to be shown on its own.",
    )
    minimum_raters = models.PositiveSmallIntegerField(
        default=DEFAULT_MINIMUM_RATERS, help_text="The fewest raters (not counting self) in total."
    )
    release_mode = models.CharField(
        max_length=20, choices=ReleaseMode.choices, default=ReleaseMode.ON_CLOSE
    )
    nominations_need_approval = models.BooleanField(
        default=False,
        help_text="A facilitator approves each leader's raters before invitations go.",
    )
    reminder_days = models.JSONField(
        default=default_reminder_days,
        help_text="Days before the close on which raters who have not finished are reminded.",
    )
    threshold_fixed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the first invitation went out: from then on k is the k raters were "
        "promised, and cannot change.",
    )
    retention_days = models.PositiveIntegerField(
        default=365, help_text="Days after release before raw ratings and comments are deleted."
    )
    purged_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the raw ratings, comments and raters' details were deleted under the "
        "retention period. The released reports are kept, and can no longer be regenerated.",
    )
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="administered_programmes", blank=True
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="facilitated_programmes", blank=True
    )
    follows = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text="The earlier programme this one re-assesses (same framework version, the "
        "same leaders): its leaders' reports show the change since then.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(anonymity_threshold__gte=MINIMUM_ANONYMITY_THRESHOLD),
                name="programme_k_at_least_3",
            ),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="programme_closes_after_opening",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = "The close date must be after the open date."
        if (self.anonymity_threshold or 0) < MINIMUM_ANONYMITY_THRESHOLD:
            errors["anonymity_threshold"] = "The anonymity threshold must be 3 or more."
        days = self.reminder_days
        if not isinstance(days, list) or not all(isinstance(d, int) and d > 0 for d in days):
            errors["reminder_days"] = "Reminder days must be whole numbers of days, above 0."
        if errors:
            raise ValidationError(errors)

    def state_at(self, now=None) -> "Programme.State":
        """Open between opening and closing unless closed early; a programme reopened after
        a release (an audited reopen clears ``closed_at``) is open again until it closes."""
        now = now or timezone.now()
        if now < self.opens_at:
            return self.State.DRAFT
        if self.closed_at is None and now < self.closes_at:
            return self.State.OPEN
        if self.released_at:
            return self.State.RELEASED
        return self.State.CLOSED

    @property
    def state(self) -> "Programme.State":
        return self.state_at()

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state in (self.State.CLOSED, self.State.RELEASED)

    @property
    def effective_close(self):
        return self.closed_at or self.closes_at


class NominationRule(models.Model):
    """How many raters of one group a leader must and may nominate."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="nomination_rules"
    )
    rater_group = models.CharField(max_length=20, choices=RaterGroup.choices)
    minimum = models.PositiveSmallIntegerField()
    maximum = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["programme", "rater_group"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "rater_group"], name="one_rule_per_group"),
            models.CheckConstraint(
                condition=models.Q(minimum__lte=models.F("maximum")), name="rule_min_le_max"
            ),
            models.CheckConstraint(
                condition=~models.Q(rater_group="self"), name="rule_not_for_self"
            ),
        ]

    def __str__(self):
        return f"{self.get_rater_group_display()}: {self.minimum}–{self.maximum}"


class Assessment(models.Model):
    """One leader's 360 within one programme."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="assessments")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitated_assessments",
    )
    nominations_submitted_at = models.DateTimeField(null=True, blank=True)
    nominations_approved_at = models.DateTimeField(null=True, blank=True)
    self_submitted_on = models.DateField(
        null=True, blank=True, help_text="The day the leader submitted their self-assessment."
    )
    released_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When this leader's reports were released on their own (by the facilitator "
        "after the debrief, or again after a reopen).",
    )
    reopened_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the reports were last reopened. Until they are released again the "
        "leader cannot read them, even if the whole programme was released.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "leader__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "leader"], name="one_assessment_per_leader_per_programme"
            ),
        ]

    def __str__(self):
        return f"{self.leader} in {self.programme}"


def framework_used_by_assessments(framework_id) -> bool:
    """Is this framework version frozen? (registered with ``framework.models`` in ready())"""
    return Assessment.objects.filter(programme__framework_id=framework_id).exists()


class Invitation(models.Model):
    """One rater asked to rate one leader.

    The link's token is never stored: only its SHA-256 (``token_hash``) and the random
    ``token_nonce`` it is derived from with the server's secret key (see
    ``assessments.tokens``), so a copy of the database alone opens no form, while a resend
    can still rebuild the same link.
    """

    class State(models.TextChoices):
        NOMINATED = "nominated", "Nominated, not yet invited"
        INVITED = "invited", "Invited"
        STARTED = "started", "Started"
        SUBMITTED = "submitted", "Submitted"
        DECLINED = "declined", "Declined"
        REVOKED = "revoked", "Revoked"

    OPEN_STATES = (State.INVITED, State.STARTED)

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="invitations")
    rater_group = models.CharField(max_length=20, choices=RaterGroup.choices)
    name = models.CharField(max_length=200)
    email = models.EmailField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.NOMINATED)
    token_nonce = models.CharField(max_length=64, blank=True)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True, max_length=COMMENT_MAX_LENGTH)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessment", "rater_group", "name"]
        constraints = [
            models.UniqueConstraint(
                "assessment",
                Lower("email"),
                condition=~models.Q(state="revoked"),
                name="one_live_invitation_per_email",
            ),
            models.CheckConstraint(
                condition=~models.Q(rater_group="self"), name="invitation_not_for_self"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_rater_group_display()}) for {self.assessment.leader}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class DraftManager(models.Manager["Draft"]):
    def create(self, *, answers: dict | None = None, comments: dict | None = None, **fields):
        """A draft holding ``answers`` and ``comments``, sealed in its box."""
        draft = self.model(**fields)
        draft.contents_set(answers=answers or {}, comments=comments or {})
        draft.save(force_insert=True, using=self.db)
        return draft


class Draft(models.Model):
    """Answers saved as someone works through the form; deleted when they submit.

    ``invitation`` is empty for the leader's own self-assessment draft. The answers are kept
    encrypted in ``box`` (assessments.boxes): ``answers`` maps statement id (as a string) to
    a scale value, or "" for Not observed; ``comments`` maps theme id (as a string) to text.
    """

    PURPOSE = "draft"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="drafts")
    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="draft"
    )
    box = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    objects = DraftManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"],
                condition=models.Q(invitation__isnull=True),
                name="one_self_draft_per_assessment",
            ),
        ]

    def __str__(self):
        return f"Draft for {self.assessment}"

    def contents(self) -> tuple[dict, dict]:
        """(answers, comments), decrypted; empty for a new draft."""
        if not self.box:
            return {}, {}
        from .boxes import box_open

        opened = box_open(bytes(self.box), purpose=self.PURPOSE)
        return opened["answers"], opened["comments"]

    def contents_set(self, *, answers: dict, comments: dict) -> None:
        from .boxes import box_seal

        self.box = box_seal({"answers": answers, "comments": comments}, purpose=self.PURPOSE)

    @property
    def answers(self) -> dict:
        return self.contents()[0]

    @property
    def comments(self) -> dict:
        return self.contents()[1]


class Envelope(models.Model):
    """A rater's submitted answers, encrypted, waiting to be sealed into a Response.

    No reference to the invitation: only the assessment and the rater group, which the
    invitation's "submitted" state says anyway. Deleted when sealed (see
    ``assessments.services.sealing``).
    """

    PURPOSE = "envelope"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="envelopes")
    rater_group = models.CharField(max_length=20, choices=RaterGroup.choices)
    box = models.BinaryField()

    def __str__(self):
        return f"Envelope for {self.assessment}"

    def contents(self) -> tuple[dict, dict]:
        from .boxes import box_open

        opened = box_open(bytes(self.box), purpose=self.PURPOSE)
        return opened["answers"], opened["comments"]


class Response(models.Model):
    """A sealed, submitted set of ratings. Deliberately unlinkable to its author."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="responses")
    rater_group = models.CharField(max_length=20, choices=RaterGroup.choices)
    held = models.BooleanField(
        default=False,
        help_text="Arrived after the leader's reports were released and is not in them yet: "
        "added only when that cannot single anyone out (reports.versions).",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"],
                condition=models.Q(rater_group="self"),
                name="one_self_response_per_assessment",
            ),
        ]
        indexes = [models.Index(fields=["assessment", "rater_group"])]

    def __str__(self):
        return f"{self.get_rater_group_display()} response for {self.assessment}"


class Rating(models.Model):
    """One answer to one statement. An empty value is "Not observed": never scored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="ratings")
    statement = models.ForeignKey(
        "framework.Statement", on_delete=models.PROTECT, related_name="ratings"
    )
    value = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "statement"], name="one_rating_per_statement"
            ),
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(value__gte=1, value__lte=10),
                name="rating_value_on_a_scale",
            ),
        ]
        indexes = [models.Index(fields=["statement", "response"])]

    def __str__(self):
        return f"{self.statement_id}: {self.value if self.value is not None else 'Not observed'}"


class ThemeComment(models.Model):
    """A free-text comment on one theme, from one response. Shown pooled and unattributed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="comments")
    theme = models.ForeignKey("framework.Theme", on_delete=models.PROTECT, related_name="comments")
    text = models.TextField(max_length=COMMENT_MAX_LENGTH)
    redacted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "theme"], name="one_comment_per_theme"),
        ]

    def __str__(self):
        return self.text[:60]


class ReminderRound(models.Model):
    """One round of reminders: scheduled (days before close) or sent by hand."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="reminder_rounds"
    )
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_rounds",
        help_text="Empty for a round covering the whole programme.",
    )
    days_before_close = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "days_before_close"],
                condition=models.Q(days_before_close__isnull=False),
                name="one_scheduled_round_per_day",
            ),
        ]

    def __str__(self):
        when = f"{self.days_before_close} days before close" if self.days_before_close else "manual"
        return f"Reminder round ({when}) for {self.programme}"


class Reminder(models.Model):
    """A rater reminded in a round. Unique, so no one is reminded twice in one round."""

    round = models.ForeignKey(ReminderRound, on_delete=models.CASCADE, related_name="reminders")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="reminders")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "invitation"], name="one_reminder_per_round"),
        ]

    def __str__(self):
        return f"Reminder to invitation {self.invitation_id} in round {self.round_id}"


class LeaderImport(JobRow):
    """A checked file of leaders, imported by a worker rather than in the request: a big
    file takes longer than a web request may. The rows are the ones the admin checked;
    the import checks them again when it runs (``assessments.services.import_jobs``)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Not imported"

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="leader_imports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    leader_file = models.JSONField(help_text="The rows checked, as LeaderFile.as_data().")
    fingerprint = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    result = models.TextField(blank=True, help_text="What happened, as the admin is told.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Import of {self.rows} leaders into {self.programme} ({self.status})"
