"""Programme admins: the programme's audit log, newest first."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.audit import audit_event_summary, audit_events_for_programme

from ..access import programme_for_admin

EVENTS_PER_PAGE = 50


@login_required
def audit_log(request, pk):
    programme = programme_for_admin(request.user, pk)
    page = Paginator(audit_events_for_programme(programme=programme), EVENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [{"event": event, "summary": audit_event_summary(event)} for event in page]
    return render(
        request, "assessments/audit/log.html", {"programme": programme, "page": page, "rows": rows}
    )
