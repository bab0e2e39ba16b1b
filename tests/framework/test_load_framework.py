"""The catalogue is the Leadership for Personalised Care framework, verbatim from the seed."""

import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from framework.models import Framework, Quality, ScalePoint, Statement, Theme
from tests.services import unavailable

SEED = next((Path(__file__).resolve().parents[3] / "shared" / "seeds").glob("001_*.txt"), None)

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


def test_every_text_appears_in_the_seed_apart_from_line_breaks(framework):
    if SEED is None:
        unavailable("shared/seeds is not beside the project")
    seed = re.sub(r"\s+", " ", SEED.read_text(encoding="utf-8"))
    for statement in Statement.objects.all():
        assert statement.text in seed, statement.text
    for quality in Quality.objects.all():
        assert quality.description in seed


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
