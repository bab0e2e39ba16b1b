"""Programme impact for a follow-up programme's admins: the page and its downloads."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from accounts.audit import audit_record
from accounts.models import AuditAction
from assessments.access import programme_for_admin

from .exports.impact import impact_csv, impact_pdf, impact_xlsx, programme_impact

DOWNLOADS = {
    "csv": (impact_csv, "text/csv; charset=utf-8"),
    "xlsx": (
        impact_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "pdf": (impact_pdf, "application/pdf"),
}


@login_required
def programme_impact_view(request, pk):
    programme = programme_for_admin(request.user, pk)
    impact = programme_impact(programme=programme)
    return render(request, "reports/impact/impact.html", {"programme": programme, "impact": impact})


@login_required
def programme_impact_download(request, pk, kind):
    programme = programme_for_admin(request.user, pk)
    if kind not in DOWNLOADS:
        raise Http404
    impact = programme_impact(programme=programme)
    if impact is None:
        raise Http404
    write, content_type = DOWNLOADS[kind]
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT_DOWNLOADED,
        programme=programme,
        obj=programme,
        detail={"kind": f"Programme impact ({kind.upper()})", "named": False},
    )
    response = HttpResponse(write(impact), content_type=content_type)
    name = f"impact-{slugify(programme.name)}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
