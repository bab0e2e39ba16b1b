"""Reads of the framework catalogue."""

from django.db.models import Prefetch

from .models import Framework, Quality, ScalePoint, Statement, Theme


def framework_current() -> Framework | None:
    """The newest version of the framework that the site presents publicly."""
    return Framework.objects.order_by("-id").first()


def framework_with_contents(*, framework: Framework) -> Framework:
    """The framework with themes → qualities → statements and its scale, in 5 queries."""
    return (
        Framework.objects.select_related("scale")
        .prefetch_related(
            Prefetch(
                "themes",
                queryset=Theme.objects.order_by("order").prefetch_related(
                    Prefetch(
                        "qualities",
                        queryset=Quality.objects.order_by("order").prefetch_related(
                            Prefetch("statements", queryset=Statement.objects.order_by("order"))
                        ),
                    )
                ),
            ),
            Prefetch("scale__points", queryset=ScalePoint.objects.order_by("order")),
        )
        .get(pk=framework.pk)
    )
