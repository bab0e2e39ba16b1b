"""Programme impact: for a follow-up programme, the change per theme and quality across its
leaders, for the programme's admins (on a page, and as CSV, XLSX or PDF).

Built only from what each leader's change shows (``reports.change``): a leader counts for a
scope when their change there is shown - both cycles' All raters' figures displayable, the
earlier ones from the leader's last released version, and the cross-cycle rule met. Each
leader's change is the difference of the two All raters' means at full precision.

Per scope, over those leaders (n):
    mean change; its 95% CI, mean +/- t(0.975, n - 1) * sd / sqrt(n) (the t table of
    ``reports.change``); the effect size for paired data, Cohen's d_z = mean change / sd of
    the changes; and how many leaders' own change was higher, within noise or lower by the
    Welch rule of ``reports.change`` ("not judged" when a leader's side had too few ratings
    for an interval).
As in the cohort exports, a scope is shown only with at least k leaders (the programme's
anonymity threshold); otherwise its figures are left empty with the reason.
"""

import math
import statistics
from dataclasses import dataclass

from assessments.models import Programme

from ..aggregation import assessment_reports
from ..change import DECLINED, IMPROVED, STAYED, earlier_cycle, t_975, theme_change
from ..numbering import quality_number, theme_number
from .tabular import Table, csv_bytes, xlsx_bytes

IMPACT_HEADER = (
    "level",
    "number",
    "theme or quality",
    "leaders",
    "mean change",
    "95% CI low",
    "95% CI high",
    "sd of changes",
    "effect size (d_z)",
    "higher beyond noise",
    "within noise",
    "lower beyond noise",
    "not judged",
    "suppressed",
    "suppression reason",
)
IMPACT_PDF_TEMPLATE = "reports/exports/impact_pdf.html"


@dataclass(frozen=True)
class ImpactRow:
    level: str
    number: str
    label: str
    leaders: int
    changes: tuple[float, ...]  # each counted leader's change, full precision
    verdicts: tuple[str | None, ...]
    k: int

    @property
    def shown(self) -> bool:
        return self.leaders >= self.k

    @property
    def reason(self) -> str:
        if self.shown:
            return ""
        return (
            f"Fewer than {self.k} leaders have a change shown here ({self.leaders}): "
            "not shown, so that no figure stands for one or two leaders"
        )

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.changes) if self.shown else None

    @property
    def sd(self) -> float | None:
        return statistics.stdev(self.changes) if self.shown and self.leaders > 1 else None

    @property
    def interval(self) -> tuple[float, float] | None:
        mean, sd = self.mean, self.sd
        if mean is None or sd is None:  # (sd is there only when mean is)
            return None
        half = t_975(self.leaders - 1) * sd / math.sqrt(self.leaders)
        return (mean - half, mean + half)

    @property
    def effect_size(self) -> float | None:
        mean, sd = self.mean, self.sd
        return mean / sd if mean is not None and sd else None

    def count(self, verdict) -> int | None:
        return sum(v == verdict for v in self.verdicts) if self.shown else None

    @property
    def higher(self):
        return self.count(IMPROVED)

    @property
    def within(self):
        return self.count(STAYED)

    @property
    def lower(self):
        return self.count(DECLINED)

    @property
    def not_judged(self):
        return self.count(None)

    def cells(self) -> list:
        low, high = self.interval or (None, None)
        return [
            self.level,
            self.number,
            self.label,
            self.leaders,
            self.mean,
            low,
            high,
            self.sd,
            self.effect_size,
            self.higher,
            self.within,
            self.lower,
            self.not_judged,
            "no" if self.shown else "yes",
            self.reason,
        ]


@dataclass(frozen=True)
class Impact:
    programme: Programme
    earlier: Programme
    k: int
    leaders_in_both: int
    rows: tuple[ImpactRow, ...]

    def table(self) -> Table:
        return Table(name="impact", header=IMPACT_HEADER, rows=[r.cells() for r in self.rows])


def programme_impact(*, programme: Programme) -> Impact | None:
    """The impact of a follow-up programme; None when it follows no programme."""
    earlier = programme.follows
    if earlier is None:
        return None
    k = programme.anonymity_threshold
    earlier_leaders = set(earlier.assessments.values_list("leader_id", flat=True))
    assessments = list(
        programme.assessments.filter(leader_id__in=earlier_leaders).select_related(
            "programme__follows", "leader"
        )
    )
    reports = {r.assessment_id: r for r in assessment_reports(assessments=assessments)}
    themes = list(programme.framework.themes.order_by("order"))
    found: dict[tuple[str, int], list[tuple[float, str | None]]] = {}  # -> [(change, verdict)]
    for assessment in assessments:
        report = reports[assessment.pk]
        earlier_side = earlier_cycle(assessment=assessment)
        if earlier_side is None:
            continue
        for theme in themes:
            change = theme_change(
                assessment=assessment,
                theme=theme,
                result=report.theme(theme),
                earlier=earlier_side,
            )
            # theme_change returns None only when it has no earlier cycle, given here.
            assert change is not None
            for row in change.rows:
                if row.shown and row.noise is not None:  # (a shown row has its noise)
                    found.setdefault((row.level, row.scope_id), []).append(
                        (row.noise.difference, row.verdict)
                    )
    rows = []
    for theme in themes:
        scopes = [("theme", theme.pk, theme_number(theme), theme.name)]
        scopes += [
            ("quality", q.pk, quality_number(theme, place), q.name)
            for place, q in enumerate(theme.qualities.order_by("order"), start=1)
        ]
        for level, scope_id, number, label in scopes:
            pairs = found.get((level, scope_id), [])
            rows.append(
                ImpactRow(
                    level=level,
                    number=number,
                    label=label,
                    leaders=len(pairs),
                    changes=tuple(c for c, _ in pairs),
                    verdicts=tuple(v for _, v in pairs),
                    k=k,
                )
            )
    return Impact(
        programme=programme,
        earlier=earlier,
        k=k,
        leaders_in_both=len(assessments),
        rows=tuple(rows),
    )


def impact_about(impact: Impact) -> list[tuple[str, str]]:
    return [
        ("Programme", impact.programme.name),
        ("Follows", impact.earlier.name),
        ("Leaders in both programmes", str(impact.leaders_in_both)),
        ("Anonymity threshold (k)", str(impact.k)),
        (
            "How to read it",
            "Change = the follow-up's All raters' mean minus the earlier one, per leader, "
            "where the leader's report shows it. 95% CI: mean change +/- t(n-1) x sd / sqrt(n). "
            "Effect size d_z = mean change / sd of the changes. Higher or lower beyond noise: "
            "the leader's own Welch 95% interval excludes 0. Scopes with fewer than k leaders "
            "are left empty.",
        ),
    ]


def impact_csv(impact: Impact) -> bytes:
    return csv_bytes(impact.table())


def impact_xlsx(impact: Impact) -> bytes:
    return xlsx_bytes(
        [impact.table()], title=f"Impact of {impact.programme.name}", about=impact_about(impact)
    )


def impact_pdf(impact: Impact) -> bytes:
    from ..pdf import pdf_render

    return pdf_render(
        template_name=IMPACT_PDF_TEMPLATE,
        context={"impact": impact, "about": impact_about(impact)},
    )
