"""Reports: one PDF per assessment and theme, rendered by Celery workers."""

from django.conf import settings
from django.db import models

from config.jobs import JobRow


def theme_report_path(report, filename):
    return f"reports/{report.assessment.programme_id}/{report.assessment_id}/{filename}"


class ThemeReport(JobRow):
    """The PDF of one theme of one assessment, and the state of its rendering.

    ``inputs_hash`` is the hash of everything the PDF is drawn from; a task that finds the
    same hash on a ready report does nothing, so a report is never rendered twice for the
    same data. ``attempts`` counts claims in the database, so a task that keeps killing its
    worker is given up after a bound even though Celery would requeue it forever.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="theme_reports"
    )
    theme = models.ForeignKey("framework.Theme", on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    inputs_hash = models.CharField(max_length=64, blank=True)
    file = models.FileField(upload_to=theme_report_path, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment", "theme__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "theme"], name="one_report_per_theme"),
        ]

    def __str__(self):
        return f"{self.theme} report for {self.assessment} ({self.status})"


def cohort_export_path(export, filename):
    return f"exports/{export.programme_id}/{filename}"


class CohortExport(JobRow):
    """One cohort export a programme admin asked for, and the state of its building.

    The row is the job (see ``reports.exports.services``): a worker claims it with a
    conditional UPDATE, counts an attempt, writes ``done`` of ``total`` steps as it goes
    and stores the file. ``named`` chooses leaders' names over stable pseudonyms. Files and
    rows are deleted once ``expires_at`` has passed.
    """

    class Kind(models.TextChoices):
        CSV = "csv", "CSV files (zip)"
        XLSX = "xlsx", "Excel workbook (XLSX)"
        PDF = "pdf", "PDF summary"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    programme = models.ForeignKey(
        "assessments.Programme", on_delete=models.CASCADE, related_name="exports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cohort_exports",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    named = models.BooleanField(
        default=False, help_text="Leaders' names; otherwise stable pseudonyms."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=cohort_export_path, blank=True, max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="cohort_export_progress_le_100"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["csv", "xlsx", "pdf"]), name="cohort_export_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")) | models.Q(total=0),
                name="cohort_export_done_le_total",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "updated_at"]),
            models.Index(fields=["expires_at"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} export of {self.programme} ({self.status})"

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


def released_report_path(released, filename):
    assessment_id = released.version.assessment_id
    return f"reports/released/{assessment_id}/v{released.version.number}/{filename}"


class ReportVersion(models.Model):
    """What one release showed a leader: frozen (PRODUCT.md, promises 6 and 8).

    A release stamps a new version: the Responses in it (``responses``) and which figures it
    shows (``shown``), so that a later version can be checked together with every version
    the leader has seen (``reports.versions``); and, per theme, the page and the PDF exactly
    as released (``ReleasedThemeReport``). The leader reads only these, never a live
    computation. The snapshots are filled in once the theme reports of the release are
    ready (``filled_at``).
    """

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="report_versions"
    )
    number = models.PositiveSmallIntegerField()
    released_at = models.DateTimeField()
    filled_at = models.DateTimeField(null=True, blank=True)
    responses = models.JSONField(default=list, help_text="Ids of the Responses it includes.")
    shown = models.JSONField(
        default=dict,
        help_text="For the check across versions: each anonymous Response's display unit, "
        "and every aggregate shown as [row, level, scope id].",
    )

    class Meta:
        ordering = ["assessment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "number"], name="one_report_version_number"
            ),
        ]

    def __str__(self):
        return f"Version {self.number} of the reports for {self.assessment}"


class ReleasedThemeReport(models.Model):
    """One theme of a released version: the web page's report body and the PDF, as released."""

    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="themes")
    theme = models.ForeignKey("framework.Theme", on_delete=models.PROTECT, related_name="+")
    html = models.TextField()
    file = models.FileField(upload_to=released_report_path, max_length=300)

    class Meta:
        ordering = ["version", "theme__order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "theme"], name="one_released_theme"),
        ]

    def __str__(self):
        return f"{self.theme} in {self.version}"


class ReleasedSummary(models.Model):
    """The summary of a released version (``reports.summary``): its web page body, its PDF and
    the all-raters score of each quality as displayed (for the cohort benchmark, which
    compares only figures already released and shown)."""

    version = models.OneToOneField(ReportVersion, on_delete=models.CASCADE, related_name="summary")
    html = models.TextField()
    file = models.FileField(upload_to=released_report_path, max_length=300)
    figures = models.JSONField(
        default=dict,
        help_text="Quality id -> the All raters mean as shown (one decimal), shown ones only.",
    )

    def __str__(self):
        return f"Summary of {self.version}"
