from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import IntegrityError, models
from django.db.models.functions import Lower
from django.utils import timezone

from config.jobs import JobRow


class Role(models.TextChoices):
    """What a person may do across LPC 360. Stored as auth groups, one per role.

    A role says what kind of work a person does; which programmes they may touch is
    decided by membership of each programme (see ``assessments``), never by the role alone.
    """

    LEADER = "leader", "Leader"
    PROGRAMME_ADMIN = "programme_admin", "Programme admin"
    FACILITATOR = "facilitator", "Facilitator"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account: leaders, programme admins, facilitators. Raters have none."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May sign in to the Django admin site.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def has_role(self, role: Role) -> bool:
        return self.is_active and self.groups.filter(name=role.label).exists()


class OutboxEmail(JobRow):
    """An email to send, written in the same transaction as the action that causes it.

    The message is rendered when it is sent, from ``kind`` and the ids in ``context``, so
    no link token is ever written here. A Celery task claims it ("sending") and sends it;
    a periodic sweeper re-enqueues rows left queued (for instance while Redis was down) or
    claimed by a worker that died (``config.jobs``).
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=50)
    to = models.EmailField()
    context = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # GOV.UK Notify (EMAIL_DELIVERY=notify): the provider's id for the email, and what it
    # last said about delivering it (accounts.notify). Blank when sent by SMTP.
    notification_id = models.CharField(max_length=64, blank=True)
    delivery_status = models.CharField(max_length=32, blank=True)
    status_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self):
        return f"{self.kind} to {self.to} ({self.state})"


class AppendOnlyViolation(IntegrityError):
    """An audit event was about to be changed or deleted: the audit log only grows."""


class AuditEventQuerySet(models.QuerySet):
    """Refuses UPDATE and DELETE through the ORM; PostgreSQL refuses them too (a trigger).

    The one change allowed is ``redact_personal_columns``: erasure and retention replace the
    names and emails an event carries, so the row stays readable without naming anyone.
    """

    def update(self, **kwargs):
        raise AppendOnlyViolation("Audit events are never updated.")

    def delete(self):
        raise AppendOnlyViolation("Audit events are never deleted.")

    def redact_personal_columns(self, *, actor_label: str, detail: dict) -> int:
        """Only for ``accounts.audit``, inside its redaction transaction."""
        return super().update(actor_label=actor_label, detail=detail)


class AuditAction(models.TextChoices):
    """What an audit event records."""

    EXPORT_REQUESTED = "export_requested", "Cohort export requested"
    EXPORT_DOWNLOADED = "export_downloaded", "Cohort export downloaded"
    REPORT_VIEWED = "report_viewed", "Report viewed"
    REPORT_DOWNLOADED = "report_downloaded", "Report downloaded"
    REOPENED = "reopened", "Reports reopened"
    RELEASED = "released", "Reports released"
    INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
    INVITATION_REISSUED = "invitation_reissued", "Invitation link reissued"
    COMMENT_REDACTED = "comment_redacted", "Comment redacted"
    ROLE_GRANTED = "role_granted", "Role granted"
    ROLE_REVOKED = "role_revoked", "Role removed"
    LEADER_ERASED = "leader_erased", "Leader erased"
    RATER_ERASED = "rater_erased", "Rater erased"
    RETENTION_PURGED = "retention_purged", "Raw data deleted (retention)"
    THRESHOLD_CHANGED = "threshold_changed", "Anonymity threshold changed"
    PROGRAMME_REOPENED = "programme_reopened", "Programme reopened"
    PROGRAMME_CLOSED = "programme_closed", "Programme closed"
    LEADERS_IMPORTED = "leaders_imported", "Leaders imported"
    DEBRIEF_RECORDED = "debrief_recorded", "Debrief recorded"


class AuditEvent(models.Model):
    """Who did what to which object, and when. Append-only.

    Programme and object are plain ids with a label, not foreign keys: deleting a programme
    or an object must not rewrite (SET_NULL) or delete (CASCADE) its history. ``actor`` is a
    foreign key that protects the account: a person named here is anonymised, never deleted.
    The personal columns are ``actor_label`` and ``detail``; nothing else may name a person.
    """

    Action = AuditAction

    at = models.DateTimeField(default=timezone.now, editable=False)
    actor = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        help_text="Empty for LPC 360's own scheduled work.",
    )
    actor_label = models.CharField(max_length=450, blank=True)
    action = models.CharField(max_length=30, choices=Action.choices)
    programme_id_ref = models.PositiveBigIntegerField(null=True, blank=True)
    programme_label = models.CharField(max_length=200, blank=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["programme_id_ref", "-at"], name="audit_programme_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AuditAction.values),
                name="audit_action_known",
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label}: {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyViolation("Audit events are never updated.")
        kwargs["force_insert"] = True
        kwargs.pop("force_update", None)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyViolation("Audit events are never deleted.")
