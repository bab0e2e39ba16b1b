"""Theme reports in the Django admin: their state, for support staff. Rows are made by the
pipeline (``reports.services``), never by hand; the PDF itself is served by the reports
views, through the access helpers."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from .models import ThemeReport
from .services import reports_generate


@admin.register(ThemeReport)
class ThemeReportAdmin(admin.ModelAdmin):
    list_display = ["assessment", "theme", "status", "attempts", "generated_at", "updated_at"]
    list_filter = ["status", "theme__name", "assessment__programme"]
    search_fields = ["assessment__leader__full_name", "assessment__leader__email"]
    list_select_related = ["assessment__leader", "assessment__programme", "theme"]
    fields = readonly_fields = (
        "assessment",
        "theme",
        "status",
        "inputs_hash",
        "file_name",
        "generated_at",
        "attempts",
        "claimed_at",
        "last_error",
        "updated_at",
    )
    actions = ["generate_again"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="File")  # its path only: media URLs are not served
    def file_name(self, obj):
        return obj.file.name or "\u2013"

    @admin.action(description="Generate the selected reports' assessments again")
    def generate_again(self, request, queryset):
        assessments = {
            report.assessment
            for report in queryset.select_related("assessment__programme__framework")
        }
        refused = 0
        for assessment in assessments:
            try:
                reports_generate(assessment=assessment)  # released, ready reports stay frozen
            except ValidationError:  # its programme's raw data has been purged
                refused += 1
        self.message_user(
            request,
            f"Generating reports for {len(assessments) - refused} assessments.",
            messages.SUCCESS,
        )
        if refused:
            self.message_user(
                request,
                f"{refused} assessments were not generated again: their programme's raw data "
                "was deleted at the end of its retention period.",
                messages.WARNING,
            )
