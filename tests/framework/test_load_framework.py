"""The catalogue is the Leadership for Personalised Care framework, verbatim from the seed."""

import importlib
import json
import os
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from framework.models import Framework, Quality, ScalePoint, Statement, Theme
from tests.factories import AssessmentFactory, ProgrammeFactory
from tests.services import unavailable

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FIXTURE = FIXTURES / "leadership_for_personalised_care_v1.json"
# The framework documents live beside the project (../shared/seeds); SHARED_DIR points
# elsewhere, e.g. for a clone made away from the workspace.
SHARED_DIRS = [
    Path(os.environ["SHARED_DIR"]) if os.environ.get("SHARED_DIR") else None,
    Path(__file__).resolve().parents[3] / "shared",
    Path("/work/shared"),
]
SEED = next(
    (seed for d in SHARED_DIRS if d for seed in sorted((d / "seeds").glob("001_*.txt"))), None
)

THEMES = ["Being", "Relating and communicating", "Leading and visioning", "Delivering"]
QUALITIES = {
    "Being": ["Authenticity", "Mindset", "Resilience, courage and bravery"],
    "Relating and communicating": [
        "Relationships and Advocacy",
        "Collaboration and co-creation",
        "Trust",
    ],
    "Leading and visioning": [
        "Community/Holistic Thinking",
        "Vision/Shared Direction",
        "System Influence",
        "Lead/Enable Others",
    ],
    "Delivering": ["Ownership and Accountability", "Delivery", "Doing Things Differently"],
}


def test_loads_4_themes_13_qualities_39_statements(framework):
    assert list(framework.themes.values_list("name", flat=True)) == THEMES
    for theme in framework.themes.all():
        assert list(theme.qualities.values_list("name", flat=True)) == QUALITIES[theme.name]
    assert Theme.objects.count() == 4
    assert Quality.objects.count() == 13
    assert Statement.objects.count() == 39
    assert Statement.objects.filter(kind=Statement.Kind.SYSTEMS_LEADERSHIP).count() == 13
    assert Statement.objects.filter(kind=Statement.Kind.PERSONALISED_CARE).count() == 26


def test_each_quality_rates_its_behaviour_then_two_personalised_care_statements(framework):
    for quality in Quality.objects.all():
        statements = list(quality.statements.order_by("order"))
        assert [s.kind for s in statements] == [
            "systems_leadership",
            "personalised_care",
            "personalised_care",
        ]
        assert statements[0].text == quality.description


@pytest.mark.parametrize(
    ("quality", "order", "text"),
    [
        ("Authenticity", 2, "Personal commitment and connection to personalised care"),
        (
            "Mindset",
            3,
            "Flexible, demonstrates humility and openness to new ideas, willing to "
            "change direction and to share power",
        ),
        (
            "Trust",
            1,
            "Builds trust to promote empathy, care and open communication (e.g. around "
            "why decisions are made)",
        ),
        (
            "Lead/Enable Others",
            3,
            "Skills in dealing with large groups, ability to relate to "
            "people from all walks of life and work with people",
        ),
        (
            "Doing Things Differently",
            2,
            "Removes organisational obstacles to change, galvanising "
            "people to work collaboratively to innovate and find "
            "solutions",
        ),
    ],
)
def test_spot_checked_statement_texts(framework, quality, order, text):
    assert Statement.objects.get(quality__name=quality, order=order).text == text


MINDSET = (
    "Open-minded, curious, encourages learning and a lack of defensiveness in self and "
    "others, insight and affiliation with others"
)
GARBLED_MINDSET = (
    "Open-minded, curious, encourages learning and a lack of defensiveness in self and "
    "others insight and affiliation with others"
)


def _corrections() -> dict[str, str]:
    """The fixture's documented corrections of the seed: corrected text -> seed text."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return {c["text"]: c["seed"] for c in data.get("corrections", [])}


def test_the_mindset_behaviour_reads_as_a_sentence(framework):
    mindset = Quality.objects.get(name="Mindset")
    assert mindset.description == MINDSET
    assert mindset.statements.get(order=1).text == MINDSET


def test_the_fixture_notes_say_what_was_corrected_and_why():
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    (correction,) = data["corrections"]
    assert (correction["seed"], correction["text"]) == (GARBLED_MINDSET, MINDSET)
    assert "column" in correction["why"]
    assert any("correction" in note for note in data["notes"])


def test_every_text_appears_in_the_seed_apart_from_line_breaks(framework):
    """Verbatim, or a correction the fixture documents whose seed text is verbatim."""
    if SEED is None:
        unavailable("shared/seeds is not beside the project")
    seed = re.sub(r"\s+", " ", SEED.read_text(encoding="utf-8"))
    corrections = _corrections()
    texts = [s.text for s in Statement.objects.all()]
    texts += [q.description for q in Quality.objects.all()]
    for text in texts:
        assert corrections.get(text, text) in seed, text
    for original in corrections.values():
        assert original in seed


def _migration():
    return importlib.import_module("framework.migrations.0002_reportdefects_mindset_text")


def test_a_database_holding_the_garbled_text_is_corrected_even_when_in_use(framework):
    """An existing database loaded the old text, and programmes now use the version: the
    data migration corrects the text in place, and load_framework then finds nothing to do
    (instead of refusing to load a frozen version that differs from its fixture)."""
    Quality.objects.filter(name="Mindset").update(description=GARBLED_MINDSET)
    Statement.objects.filter(quality__name="Mindset", order=1).update(text=GARBLED_MINDSET)
    AssessmentFactory(programme=ProgrammeFactory(framework=framework))  # now frozen
    assert framework.is_in_use()

    _migration().apply_corrections(apps, connection)

    assert Quality.objects.get(name="Mindset").description == MINDSET
    assert Statement.objects.get(quality__name="Mindset", order=1).text == MINDSET
    call_command("load_framework", verbosity=0)  # would raise CommandError if it differed
    if connection.vendor == "postgresql":  # the freeze triggers are back on afterwards
        with pytest.raises(IntegrityError), transaction.atomic():
            Statement.objects.filter(quality__name="Mindset").update(text="Changed")


def test_the_correction_leaves_other_texts_and_other_versions_alone(framework):
    Statement.objects.filter(quality__name="Mindset", order=1).update(text="Edited locally")
    before = list(Statement.objects.order_by("pk").values_list("text", flat=True))

    _migration().apply_corrections(apps, connection)

    assert list(Statement.objects.order_by("pk").values_list("text", flat=True)) == before


def test_scale_is_1_to_5_plus_not_observed(framework):
    points = list(ScalePoint.objects.filter(scale__framework=framework).order_by("order"))
    assert [p.value for p in points] == [1, 2, 3, 4, 5, None]
    assert points[-1].label == "Not observed"
    assert points[-1].is_not_observed


def test_loading_twice_changes_nothing(framework):
    def snapshot():
        return [
            list(model.objects.order_by("pk").values())
            for model in (Framework, Theme, Quality, Statement, ScalePoint)
        ]

    before = snapshot()
    call_command("load_framework", verbosity=0)
    assert snapshot() == before


def test_load_command_reports_up_to_date(framework, capsys):
    call_command("load_framework")
    assert "already up to date" in capsys.readouterr().out


def test_fixture_file_is_valid_json_with_the_counts():
    path = Path(__file__).resolve().parents[2] / "fixtures"
    data = json.loads(next(path.glob("leadership_for_personalised_care_*.json")).read_text())
    assert len(data["themes"]) == 4
    assert [len(t["qualities"]) for t in data["themes"]] == [3, 3, 4, 3]
