"""Reports: one PDF per assessment and theme, rendered by Celery workers."""

from django.db import models


def theme_report_path(report, filename):
    return f"reports/{report.assessment.programme_id}/{report.assessment_id}/{filename}"


class ThemeReport(models.Model):
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
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment", "theme__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "theme"], name="one_report_per_theme"),
        ]

    def __str__(self):
        return f"{self.theme} report for {self.assessment} ({self.status})"
