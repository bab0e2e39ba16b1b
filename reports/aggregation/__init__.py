"""The aggregation of an assessment's ratings into what its reports may show.

Entry points: ``assessment_report(*, assessment)``, ``theme_report(*, assessment, theme)`` and,
for many assessments at once (exports, a whole programme), ``assessment_reports(*,
assessments)``.
How anonymity is kept, and why that is correct, is explained in ``disclosure``; the SQL
sums come from ``reports.selectors``; ``results`` holds the frozen result types and the
display rounding.
"""

from .build import (
    GROUP_LABELS,
    assessment_report,
    assessment_reports,
    reason_text,
    theme_report,
)
from .results import (
    AssessmentReport,
    Figures,
    GroupFigures,
    GroupPlacement,
    QualityResult,
    Scores,
    StatementResult,
    ThemeComments,
    ThemeResult,
    format_gap,
    format_score,
    one_decimal,
)

__all__ = [
    "GROUP_LABELS",
    "AssessmentReport",
    "Figures",
    "GroupFigures",
    "GroupPlacement",
    "QualityResult",
    "Scores",
    "StatementResult",
    "ThemeComments",
    "ThemeResult",
    "assessment_report",
    "assessment_reports",
    "format_gap",
    "format_score",
    "one_decimal",
    "reason_text",
    "theme_report",
]
