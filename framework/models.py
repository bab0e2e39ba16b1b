"""What is assessed: a framework version, its themes, qualities, statements and rating scale.

A framework version that an assessment refers to is frozen: a change is a new version.
``FrameworkInUse`` is raised here for saves and deletes through the ORM, and a PostgreSQL
trigger (``assessments`` migration 0002) refuses the same writes made any other way.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models


class FrameworkInUse(ValidationError):
    """A write to a framework version that assessments already refer to."""


# Whoever refers to framework versions registers a check ``framework id -> in use?`` in its
# AppConfig.ready() (assessments: an assessment's programme uses it), so framework imports
# none of the apps above it.
_usage_checks: list[Callable[[int], bool]] = []


def framework_usage_register(check: Callable[[int], bool]) -> None:
    if check not in _usage_checks:
        _usage_checks.append(check)


def framework_in_use(framework_id) -> bool:
    """True when an assessment refers to this framework version."""
    return any(check(framework_id) for check in _usage_checks)


class FrozenWhenInUse(models.Model):
    """Refuses ORM saves and deletes once the owning framework version is in use."""

    class Meta:
        abstract = True

    def _owning_framework_id(self):
        raise NotImplementedError

    def _refuse_if_in_use(self, action):
        framework_id = self._owning_framework_id()
        if framework_id and framework_in_use(framework_id):
            raise FrameworkInUse(
                f"Cannot {action} {self._meta.verbose_name}: assessments use this framework "
                "version. Publish a new version instead.",
                code="framework_in_use",
            )

    def save(self, *args, **kwargs):
        if self.pk is not None or self._owning_framework_id():
            self._refuse_if_in_use("change" if self.pk else "add to")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_in_use("delete")
        return super().delete(*args, **kwargs)


class Framework(FrozenWhenInUse):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    version = models.CharField(max_length=20)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True, help_text="Where the text comes from.")

    class Meta:
        ordering = ["slug", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "version"], name="framework_slug_version_unique"
            ),
        ]

    def __str__(self):
        return f"{self.name} (version {self.version})"

    def _owning_framework_id(self):
        return self.pk

    def is_in_use(self) -> bool:
        return self.pk is not None and framework_in_use(self.pk)


class Theme(FrozenWhenInUse):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="themes")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    description = models.TextField()

    class Meta:
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "order"], name="theme_order_unique"),
            models.UniqueConstraint(fields=["framework", "slug"], name="theme_slug_unique"),
        ]

    def __str__(self):
        return self.name

    def _owning_framework_id(self):
        return self.framework_id


class Quality(FrozenWhenInUse):
    """A systems leadership quality, e.g. Authenticity, with its systems-leadership description."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="qualities")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField()

    class Meta:
        ordering = ["theme__framework", "theme__order", "order"]
        verbose_name_plural = "qualities"
        constraints = [
            models.UniqueConstraint(fields=["theme", "order"], name="quality_order_unique"),
        ]

    def __str__(self):
        return self.name

    def _owning_framework_id(self):
        if not self.theme_id:
            return None
        return Theme.objects.filter(pk=self.theme_id).values_list("framework_id", flat=True).first()


class Statement(FrozenWhenInUse):
    """One rated behaviour statement."""

    class Kind(models.TextChoices):
        SYSTEMS_LEADERSHIP = "systems_leadership", "Systems leadership behaviour"
        PERSONALISED_CARE = "personalised_care", "Leadership for personalised care"

    quality = models.ForeignKey(Quality, on_delete=models.CASCADE, related_name="statements")
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=30, choices=Kind.choices)
    text = models.TextField()

    class Meta:
        ordering = ["quality__theme__framework", "quality__theme__order", "quality__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["quality", "order"], name="statement_order_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["systems_leadership", "personalised_care"]),
                name="statement_kind_valid",
            ),
        ]

    def __str__(self):
        return self.text if len(self.text) <= 80 else self.text[:77] + "…"

    def _owning_framework_id(self):
        if not self.quality_id:
            return None
        return (
            Quality.objects.filter(pk=self.quality_id)
            .values_list("theme__framework_id", flat=True)
            .first()
        )


class Scale(FrozenWhenInUse):
    """The rating scale of a framework version: labelled points plus "Not observed"."""

    framework = models.OneToOneField(Framework, on_delete=models.CASCADE, related_name="scale")
    name = models.CharField(max_length=100)
    question = models.CharField(
        max_length=200, help_text="Asked above every statement, e.g. 'How often…'"
    )

    def __str__(self):
        return self.name

    def _owning_framework_id(self):
        return self.framework_id

    @property
    def minimum(self):
        return min(p.value for p in self.points.all() if p.value is not None)

    @property
    def maximum(self):
        return max(p.value for p in self.points.all() if p.value is not None)


class ScalePoint(FrozenWhenInUse):
    """A point of the scale. "Not observed" is the point with no value: it is never scored."""

    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="points")
    order = models.PositiveSmallIntegerField()
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    label = models.CharField(max_length=100)

    class Meta:
        ordering = ["scale", "order"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "order"], name="scalepoint_order_unique"),
            models.UniqueConstraint(fields=["scale", "value"], name="scalepoint_value_unique"),
            models.UniqueConstraint(
                fields=["scale"],
                condition=models.Q(value__isnull=True),
                name="scalepoint_one_not_observed",
            ),
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(value__gte=1, value__lte=10),
                name="scalepoint_value_range",
            ),
        ]

    def __str__(self):
        return f"{self.value} {self.label}" if self.value is not None else self.label

    @property
    def is_not_observed(self):
        return self.value is None

    def _owning_framework_id(self):
        if not self.scale_id:
            return None
        return Scale.objects.filter(pk=self.scale_id).values_list("framework_id", flat=True).first()
