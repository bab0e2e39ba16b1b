"""Cohort exports on the web: the list with progress, asking for one, downloading it.

Only a programme's admins reach its exports (``programme_for_admin``: 404 otherwise), and
files are served only through ``export_download`` - never from a media URL.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from assessments.access import programme_for_admin

from .exports.forms import CohortExportForm
from .exports.selectors import cohort_export_for_download, cohort_exports_for_programme
from .exports.services import (
    CONTENT_TYPES,
    TooManyPending,
    cohort_export_downloaded,
    cohort_export_request,
    download_name,
)

# While an export is queued or running, the list reloads itself (no script).
REFRESH_SECONDS = 3


@login_required
def export_list(request, pk):
    programme = programme_for_admin(request.user, pk)
    exports = cohort_exports_for_programme(programme=programme)
    pending = any(export.pending for export in exports)
    return render(
        request,
        "reports/exports/list.html",
        {
            "programme": programme,
            "exports": exports,
            "refresh_seconds": REFRESH_SECONDS if pending else None,
        },
    )


@login_required
def export_request(request, pk):
    """The form on a page of its own, so that the list's refresh never wipes a choice."""
    programme = programme_for_admin(request.user, pk)
    form = CohortExportForm(
        request.POST if request.method == "POST" else None,
        action=reverse("exports:request", kwargs={"pk": programme.pk}),
    )
    if request.method == "POST" and form.is_valid():
        try:
            export = cohort_export_request(
                programme=programme,
                requested_by=request.user,
                kind=form.cleaned_data["kind"],
                named=form.named,
            )
        except TooManyPending as refused:
            form.add_error(None, str(refused))
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, f"Your {export.get_kind_display()} export is being prepared.")
            return redirect("exports:list", pk=programme.pk)
    return render(request, "reports/exports/request.html", {"programme": programme, "form": form})


@login_required
def export_download(request, pk, export_pk):
    programme = programme_for_admin(request.user, pk)
    export = cohort_export_for_download(programme=programme, pk=export_pk)
    try:
        handle = export.file.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404("The file is missing") from missing
    cohort_export_downloaded(export=export, by=request.user)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(export),
        content_type=CONTENT_TYPES[export.kind],
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
