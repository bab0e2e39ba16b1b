"""Writes to the framework catalogue."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import Framework, FrameworkInUse, Quality, Scale, ScalePoint, Statement, Theme

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


@dataclass
class LoadResult:
    framework: Framework
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


class _Loader:
    """Creates what is missing and updates what differs, and nothing else."""

    def __init__(self):
        self.created, self.updated = [], []

    def sync(self, model, lookup, values):
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model.objects.create(**lookup, **values)
            self.created.append(f"{model._meta.verbose_name} {obj}")
            return obj
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save(update_fields=changed)
            self.updated.append(f"{model._meta.verbose_name} {obj} ({', '.join(changed)})")
        return obj


@transaction.atomic
def framework_load(*, data: dict) -> LoadResult:
    """Load one framework version from its fixture data; loading it again changes nothing.

    A version that assessments use is frozen: if the data differs from what is stored,
    ``FrameworkInUse`` is raised and nothing is written.
    """
    meta = data["framework"]
    loader = _Loader()
    framework = loader.sync(
        Framework,
        {"slug": meta["slug"], "version": str(meta["version"])},
        {k: meta.get(k, "") for k in ("name", "description", "source")},
    )
    scale_data = data["scale"]
    scale = loader.sync(
        Scale,
        {"framework": framework},
        {"name": scale_data["name"], "question": scale_data["question"]},
    )
    for order, point in enumerate(scale_data["points"], start=1):
        loader.sync(
            ScalePoint,
            {"scale": scale, "order": order},
            {"value": point["value"], "label": point["label"]},
        )
    for theme_order, theme_data in enumerate(data["themes"], start=1):
        theme = loader.sync(
            Theme,
            {"framework": framework, "order": theme_order},
            {k: theme_data[k] for k in ("name", "slug", "description")},
        )
        for quality_order, quality_data in enumerate(theme_data["qualities"], start=1):
            quality = loader.sync(
                Quality,
                {"theme": theme, "order": quality_order},
                {k: quality_data[k] for k in ("name", "description")},
            )
            for statement_order, statement in enumerate(quality_data["statements"], start=1):
                loader.sync(
                    Statement,
                    {"quality": quality, "order": statement_order},
                    {"kind": statement["kind"], "text": statement["text"]},
                )
    return LoadResult(framework=framework, created=loader.created, updated=loader.updated)


def framework_load_file(*, path: Path) -> LoadResult:
    with open(path, encoding="utf-8") as handle:
        return framework_load(data=json.load(handle))


def framework_fixture_paths() -> list[Path]:
    return sorted(FIXTURES_DIR.glob("*.json"))


__all__ = [
    "FrameworkInUse",
    "LoadResult",
    "framework_fixture_paths",
    "framework_load",
    "framework_load_file",
]
