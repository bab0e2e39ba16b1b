"""Reads for the exports pages."""

from django.shortcuts import get_object_or_404
from django.utils import timezone

from ..models import CohortExport


def cohort_exports_for_programme(*, programme) -> list[CohortExport]:
    """The programme's exports not yet expired, newest first, with who asked for them."""
    return list(
        CohortExport.objects.filter(programme=programme, expires_at__gt=timezone.now())
        .select_related("requested_by")
        .order_by("-created_at", "-pk")
    )


def cohort_export_for_download(*, programme, pk) -> CohortExport:
    """A ready, unexpired export of this programme, or 404."""
    return get_object_or_404(
        CohortExport.objects.exclude(file=""),
        programme=programme,
        pk=pk,
        status=CohortExport.Status.READY,
        expires_at__gt=timezone.now(),
    )
