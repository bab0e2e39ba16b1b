"""One numbering everywhere: theme 1, quality 1.2, statement 1.2.3 - in the leader's report
(web page and PDF share the context) and in every cohort export."""

import pytest

from reports.aggregation import theme_report
from reports.exports.cohort import cohort_figures
from reports.exports.rows import cohort_data
from reports.report_context import report_context
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


def test_the_report_and_the_exports_number_alike(programme):
    assessment = AssessmentFactory(programme=programme)
    data = cohort_data(programme=programme, named=True)
    export_qualities = {q.pk: q.number for q in data.qualities}
    levels = {(f.level, f.number) for f in cohort_figures(data)}

    for theme in programme.framework.themes.order_by("order"):
        result = theme_report(assessment=assessment, theme=theme)
        context = report_context(assessment=assessment, theme=theme, result=result)
        assert ("theme", str(context["theme_number"])) in levels
        for quality, section in zip(result.qualities, context["qualities"], strict=True):
            assert section.number == export_qualities[quality.quality.pk]
            assert section.summary.number == section.number
            assert ("quality", section.number) in levels
            for item, row in zip(quality.statements, section.statements, strict=True):
                assert row.number == data.statement_numbers[item.statement.pk]
                assert ("statement", row.number) in levels


def test_numbers_have_one_part_per_level(programme):
    assessment = AssessmentFactory(programme=programme)
    being = programme.framework.themes.get(slug="being")
    delivering = programme.framework.themes.get(slug="delivering")

    def first(theme):
        result = theme_report(assessment=assessment, theme=theme)
        context = report_context(assessment=assessment, theme=theme, result=result)
        quality = context["qualities"][0]
        return quality.number, quality.statements[0].number, quality.statements[2].number

    assert first(being) == ("1.1", "1.1.1", "1.1.3")
    assert first(delivering) == ("4.1", "4.1.1", "4.1.3")
