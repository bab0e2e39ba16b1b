"""Cohort exports' contents, checked cell by cell against each leader's aggregation result.

The cohort: four leaders rated on every statement of the real framework (k = 3).

- Alex: self, line manager, 4 peers, 2 direct reports, 3 others. The direct reports (under
  k) are pooled with the others into "Other raters". On the first statement the others
  answer "Not observed", so only the 2 direct reports rated it there (1 and 2): Other
  raters are hidden for that statement, with more figures hidden around it.
- Blair: self, line manager, 3 peers, 2 direct reports: all pooled, only All raters shown.
- Casey: no self-assessment, line manager, 2 peers (1 and 2): under k, so All raters is
  hidden everywhere.
- Drew: self, line manager, 3 peers, 3 direct reports: both groups shown on their own.

Every other rating is 3 to 5, and self is 4, so the hidden figures (means of 1.5 and 8/3)
can be looked for in the files: no shown figure can equal them.
"""

import contextlib
import csv
import io
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from assessments.models import Assessment, Invitation, RaterGroup
from framework.models import Statement
from reports.aggregation import assessment_report
from reports.exports.cohort import cohort_figures
from reports.exports.rows import cohort_data, leader_pseudonym
from reports.exports.services import cohort_export_content
from reports.exports.tabular import Table, csv_cell, neutralise, xlsx_bytes, xlsx_value
from reports.models import CohortExport
from tests.factories import AssessmentFactory, InvitationFactory, ResponseFactory, UserFactory

SELF, LINE_MANAGER = RaterGroup.SELF, RaterGroup.LINE_MANAGER
PEER, DIRECT_REPORT, OTHER = RaterGroup.PEER, RaterGroup.DIRECT_REPORT, RaterGroup.OTHER
NAMES = ("Alex Leader", "Blair Second", "Casey Third", "Drew Fourth")
HIDDEN_MEANS = (Decimal("1.5"), Decimal(8) / Decimal(3))


def statements_of(framework) -> list[Statement]:
    return list(
        Statement.objects.filter(quality__theme__framework=framework).order_by(
            "quality__theme__order", "quality__order", "order"
        )
    )


def respond(assessment, statements, group, value, count=1):
    """``count`` responses of ``group``; ``value(index, person)`` gives each rating."""
    for person in range(count):
        ResponseFactory(
            assessment=assessment,
            rater_group=group,
            values={s: value(i, person) for i, s in enumerate(statements)},
        )
        if group != SELF:
            InvitationFactory(
                assessment=assessment, rater_group=group, state=Invitation.State.SUBMITTED
            )


def build_cohort(*, programme, framework, leader=None, names=NAMES) -> list[Assessment]:
    """The four leaders described in the module docstring, in that order."""
    statements = statements_of(framework)
    users = [leader or UserFactory(full_name=names[0])] + [
        UserFactory(full_name=name) for name in names[1:]
    ]
    alex, blair, casey, drew = (AssessmentFactory(programme=programme, leader=u) for u in users)

    respond(alex, statements, SELF, lambda i, p: 4)
    respond(alex, statements, LINE_MANAGER, lambda i, p: 4)
    respond(alex, statements, PEER, lambda i, p: 3 + (i + p) % 3, count=4)
    respond(alex, statements, DIRECT_REPORT, lambda i, p: (1 + p) if i == 0 else 4, count=2)
    respond(alex, statements, OTHER, lambda i, p: None if i == 0 else 5, count=3)
    InvitationFactory(assessment=alex, state=Invitation.State.DECLINED)
    InvitationFactory(assessment=alex, state=Invitation.State.INVITED)

    respond(blair, statements, SELF, lambda i, p: 4)
    respond(blair, statements, LINE_MANAGER, lambda i, p: 3)
    respond(blair, statements, PEER, lambda i, p: 4, count=3)
    respond(blair, statements, DIRECT_REPORT, lambda i, p: 5, count=2)

    respond(casey, statements, LINE_MANAGER, lambda i, p: 5)
    respond(casey, statements, PEER, lambda i, p: 1 + p, count=2)
    InvitationFactory(assessment=casey, state=Invitation.State.DECLINED)

    respond(drew, statements, SELF, lambda i, p: 4)
    respond(drew, statements, LINE_MANAGER, lambda i, p: 5)
    respond(drew, statements, PEER, lambda i, p: 5, count=3)
    respond(drew, statements, DIRECT_REPORT, lambda i, p: 4 + i % 2, count=3)
    return [alex, blair, casey, drew]


def export_file(programme, kind, named) -> bytes:
    export = CohortExport(programme=programme, kind=kind, named=named)
    data = cohort_data(programme=programme, named=named)
    return cohort_export_content(export=export, data=data)


def xlsx_sheets(content: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in workbook}


def csv_files(content: bytes) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {}
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8-sig")
            if name.endswith(".csv"):
                files[name.split("-")[-1]] = list(csv.reader(io.StringIO(text, newline="")))
            else:
                files[name] = text
        return files


# The oracle: what each long row must hold, read straight from assessment_report -------------


def expected_long_rows(programme, assessments, labels) -> list[tuple]:
    """Rows in the report's terms: None where a figure is not shown."""
    rows = []
    for assessment, label in zip(assessments, labels, strict=True):
        report = assessment_report(assessment=Assessment.objects.get(pk=assessment.pk))
        for theme in report.themes:
            for q_number, quality in enumerate(theme.qualities, start=1):
                for s_number, item in enumerate(quality.statements, start=1):
                    number = f"{theme.theme.order}.{q_number}.{s_number}"
                    scores = item.scores
                    head = (programme.name, label, theme.theme.name, quality.quality.name)
                    head += (number, item.statement.text)
                    groups = [scores.all_raters]
                    groups += [scores.line_manager] if scores.line_manager else []
                    groups += list(scores.groups)
                    for group in groups:
                        figures = (
                            (group.n, group.mean, group.sd)
                            + ((scores.gap,) if group is scores.all_raters else (None,))
                            + (group.not_observed, group.respondents)
                        )
                        if group.shown:
                            rows.append((*head, group.label, *figures, "no", ""))
                        else:
                            assert figures[:3] == (None, None, None)
                            rows.append((*head, group.label, *(None,) * 6, "yes", group.reason))
                    own = scores.self_figures
                    if own is not None:
                        figures = (own.n, own.mean, own.sd, None, own.not_observed)
                        rows.append((*head, "Self", *figures, own.respondents, "no", ""))
    return rows


def as_csv(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))
    if isinstance(value, int):
        return str(value)
    return neutralise(value)


def as_xlsx(value):
    if isinstance(value, Decimal):
        # openpyxl writes floats with 16 significant digits (Excel keeps 15).
        return float(f"{float(value):.16g}")
    if isinstance(value, str):
        return neutralise(value) or None  # openpyxl reads an empty string back as None
    return value


# Long format --------------------------------------------------------------------------------


def test_the_xlsx_long_sheet_matches_every_leaders_report_cell_by_cell(programme, cohort):
    sheets = xlsx_sheets(export_file(programme, "xlsx", named=True))
    expected = expected_long_rows(programme, cohort, NAMES)

    rows = sheets["Scores"]
    assert rows[0][:7] == ("programme", "leader", "theme", "quality", "statement number",
                           "statement", "group")  # fmt: skip
    assert len(rows) - 1 == len(expected)
    for got, want in zip(rows[1:], expected, strict=True):
        assert got == tuple(as_xlsx(v) for v in want)


def test_the_csv_long_file_matches_every_leaders_report_cell_by_cell(programme, cohort):
    files = csv_files(export_file(programme, "csv", named=True))
    expected = expected_long_rows(programme, cohort, NAMES)

    rows = files["scores.csv"]
    assert len(rows) - 1 == len(expected)
    for got, want in zip(rows[1:], expected, strict=True):
        assert got == [as_csv(v) for v in want]


def test_the_cohort_holds_the_cases_the_export_must_get_right(programme, cohort):
    """A guard on the data: suppression of both kinds, pooling, and a negative gap."""
    expected = expected_long_rows(programme, cohort, NAMES)
    alex_first = [r for r in expected if r[1] == "Alex Leader" and r[4] == "1.1.1"]
    casey = [r for r in expected if r[1] == "Casey Third"]

    assert [r[6] for r in alex_first] == ["All raters", "Line manager", "Peers",
                                          "Other raters", "Self"]  # fmt: skip
    other_raters = alex_first[3]
    assert other_raters[13] == "yes" and "could observe" in other_raters[14]
    assert {r[6] for r in casey} == {"All raters", "Line manager"}  # no self, no groups
    assert all(r[13] == "yes" for r in casey if r[6] == "All raters")
    assert "responded" in casey[0][14]
    assert not any(r[6] == "Direct reports" for r in expected if r[1] == "Alex Leader")
    assert any(r[10] is not None and r[10] < 0 for r in expected)


def test_suppressed_cells_are_empty_with_the_reason(programme, cohort):
    rows = xlsx_sheets(export_file(programme, "xlsx", named=True))["Scores"]
    header = rows[0]
    suppressed = [dict(zip(header, row, strict=True)) for row in rows[1:] if row[13] == "yes"]

    assert len(suppressed) > 39  # Casey's All raters on every statement, and Alex's
    for row in suppressed:
        figures = ("n", "mean", "sd", "gap (self minus all raters)", "not observed",
                   "respondents")  # fmt: skip
        assert all(row[name] is None for name in figures)
        assert row["suppression reason"].startswith(row["group"] + ": not shown")


def _numbers(values) -> set[Decimal]:
    found = set()
    for value in values:
        if isinstance(value, int | float) and not isinstance(value, bool):
            found.add(Decimal(str(value)).quantize(Decimal("0.0001")))
        elif isinstance(value, str):
            with contextlib.suppress(ArithmeticError):
                found.add(Decimal(value.lstrip("'")).quantize(Decimal("0.0001")))
    return found


def test_no_hidden_figure_appears_anywhere_in_either_file(programme, cohort):
    hidden = {m.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) for m in HIDDEN_MEANS}
    sheets = xlsx_sheets(export_file(programme, "xlsx", named=True))
    files = csv_files(export_file(programme, "csv", named=True))

    in_xlsx = _numbers(v for rows in sheets.values() for row in rows for v in row)
    in_csv = _numbers(
        v for rows in files.values() if isinstance(rows, list) for row in rows for v in row
    )
    assert Decimal("4.0000") in in_xlsx and Decimal("4.0000") in in_csv  # the search works
    assert not hidden & in_xlsx
    assert not hidden & in_csv


# Summary and response rates -----------------------------------------------------------------


def test_the_summary_has_each_leaders_quality_figures_and_response_rates(programme, cohort):
    sheets = xlsx_sheets(export_file(programme, "xlsx", named=True))
    header, *rows = sheets["Summary"]
    by_leader = {row[0]: dict(zip(header, row, strict=True)) for row in rows}

    alex = by_leader["Alex Leader"]
    assert (alex["invited"], alex["submitted"], alex["declined"]) == (12, 10, 1)
    assert alex["response rate (%)"] == pytest.approx(100 * 10 / 12)
    assert alex["self-assessment"] == "submitted"
    assert by_leader["Casey Third"]["self-assessment"] == "not submitted"

    for assessment, name in zip(cohort, NAMES, strict=True):
        report = assessment_report(assessment=assessment)
        for theme in report.themes:
            for number, quality in enumerate(theme.qualities, start=1):
                prefix = f"{theme.theme.order}.{number} {quality.quality.name}"
                scores = quality.scores
                row = by_leader[name]
                assert row[f"{prefix}: all raters"] == as_xlsx(scores.all_raters.mean)
                assert row[f"{prefix}: self"] == as_xlsx(scores.self_score)
                assert row[f"{prefix}: gap"] == as_xlsx(scores.gap)
    casey = by_leader["Casey Third"]
    assert casey["1.1 Authenticity: all raters"] is None
    assert "fewer than 3 raters other than the line manager responded" in casey["not shown"]
    assert by_leader["Drew Fourth"]["not shown"] is None


# Formula injection --------------------------------------------------------------------------

DANGEROUS = ('=HYPERLINK("http://x")', "@SUM(1)", "+1", "-1", "\tTabbed", "\rReturned")


@pytest.fixture
def dangerous_cohort(programme, framework):
    return build_cohort(programme=programme, framework=framework, names=DANGEROUS[:4])


def test_formula_like_names_are_neutralised_in_csv(programme, dangerous_cohort, framework):
    for name in DANGEROUS[4:]:
        AssessmentFactory(programme=programme, leader=UserFactory(full_name=name))
    files = csv_files(export_file(programme, "csv", named=True))

    assert {row[1] for row in files["scores.csv"][1:]} == {"'" + name for name in DANGEROUS}
    assert {row[0] for row in files["summary.csv"][1:]} == {"'" + name for name in DANGEROUS}
    gaps = [row[10] for row in files["scores.csv"][1:] if row[10]]
    assert any(gap.startswith("-") for gap in gaps)  # negative numbers stay numbers
    assert all(Decimal(gap) == Decimal(gap) for gap in gaps)


def test_formula_like_names_are_text_and_numbers_stay_numbers_in_xlsx(programme, dangerous_cohort):
    for name in DANGEROUS[4:]:
        AssessmentFactory(programme=programme, leader=UserFactory(full_name=name))
    content = export_file(programme, "xlsx", named=True)
    workbook = load_workbook(io.BytesIO(content))  # not read-only: cell types are kept

    leaders = {cell.value for cell in workbook["Summary"]["A"][1:]}
    # XML keeps a carriage return as a line feed; the quote in front is what matters.
    assert leaders == {"'" + name.replace("\r", "\n") for name in DANGEROUS}
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"a formula in {sheet.title}!{cell.coordinate}"
    gaps = [c for c in workbook["Scores"]["K"][1:] if c.value is not None]
    negative = [c for c in gaps if c.value < 0]
    assert negative and all(c.data_type == "n" for c in gaps)


def test_cells_are_written_as_documented():
    assert csv_cell(Decimal("-0.5")) == "-0.5000"
    assert csv_cell(Decimal(2) / Decimal(3)) == "0.6667"
    assert csv_cell(7) == "7"
    assert csv_cell(None) == ""
    assert csv_cell("-1") == "'-1"
    assert csv_cell("Mindset") == "Mindset"
    assert xlsx_value(Decimal("-0.5")) == -0.5
    assert xlsx_value("=1+1") == "'=1+1"
    assert xlsx_value("Bell\x07") == "Bell"  # XML cannot hold it


# Named and anonymised -----------------------------------------------------------------------


def test_an_anonymised_export_names_no_leader_and_its_pseudonyms_are_stable(programme, cohort):
    first = export_file(programme, "xlsx", named=False)
    second = export_file(programme, "xlsx", named=False)
    csv_zip = export_file(programme, "csv", named=False)

    labels = [leader_pseudonym(programme_id=programme.pk, assessment_id=a.pk) for a in cohort]
    leaders = [row[0] for row in xlsx_sheets(first)["Summary"][1:]]
    assert leaders == sorted(labels)  # ordered by pseudonym, not by name
    assert leaders == [row[0] for row in xlsx_sheets(second)["Summary"][1:]]
    assert all(label.startswith("Leader ") and len(label) == 13 for label in labels)

    with zipfile.ZipFile(io.BytesIO(csv_zip)) as archive:
        in_zip = " ".join(archive.read(n).decode("utf-8-sig") for n in archive.namelist())
        in_zip += " ".join(archive.namelist())
    assert names_in(all_text(first)) == []
    assert names_in(in_zip) == []
    assert names_in(all_text(export_file(programme, "xlsx", named=True))) == list(NAMES)


def all_text(xlsx: bytes) -> str:
    return " ".join(str(v) for rows in xlsx_sheets(xlsx).values() for row in rows for v in row)


def names_in(text: str) -> list[str]:
    """The leaders named in ``text`` by full name, first name or surname. The surname
    "Leader" is a word exports use ("Leader 7F3A9C", a "Leader" column), so for Alex the
    full and first names are looked for."""
    found = []
    for name in NAMES:
        first, last = name.split()
        words = (name, first) if last == "Leader" else (name, first, last)
        if any(re.search(rf"\b{word}\b", text) for word in words):
            found.append(name)
    return found


def test_pseudonyms_differ_between_programmes_and_follow_the_secret_key(settings):
    one = leader_pseudonym(programme_id=1, assessment_id=7)
    assert one == leader_pseudonym(programme_id=1, assessment_id=7)
    assert one != leader_pseudonym(programme_id=2, assessment_id=7)
    settings.SECRET_KEY = "another-key-entirely-for-this-test"
    assert one != leader_pseudonym(programme_id=1, assessment_id=7)


# The cohort aggregate -----------------------------------------------------------------------


def _cohort_sheet(programme):
    header, *rows = xlsx_sheets(export_file(programme, "xlsx", named=False))["Cohort"]
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_cohort_aggregate_pools_the_shown_figures_of_k_or_more_leaders(programme, cohort):
    reports = [assessment_report(assessment=a) for a in cohort]
    rows = _cohort_sheet(programme)
    second = next(r for r in rows if r["number"] == "1.1.2")

    contributing = [
        s.scores.all_raters.figures
        for report in reports
        for s in report.statements
        if s.statement.text == second["statement"] and s.scores.all_raters.shown
    ]
    assert len(contributing) == second["leaders"] == 3  # Casey's is hidden
    total = sum(f.total for f in contributing)
    ratings = sum(f.ratings for f in contributing)
    assert second["all raters' mean"] == as_xlsx(Decimal(total) / Decimal(ratings))
    assert second["raters"] == sum(f.n for f in contributing)
    assert second["self mean"] == 4.0
    assert second["suppressed"] == "no"
    assert [r["level"] for r in rows[:2]] == ["theme", "quality"]
    assert len([r for r in rows if r["level"] == "statement"]) == 39


def test_the_cohort_aggregate_is_hidden_under_k_leaders(programme, cohort):
    programme.anonymity_threshold = 4
    programme.save()

    rows = _cohort_sheet(programme)

    assert all(r["leaders"] == 3 for r in rows)  # Alex, Blair and Drew: fewer than 4
    assert all(r["all raters' mean"] is None and r["sd"] is None for r in rows)
    assert all(r["self mean"] is None and r["suppressed"] == "yes" for r in rows)
    assert (
        "fewer than 4 leaders' reports show figures for this statement"
        in rows[-1]["suppression reason"]
    )


def test_only_figures_the_reports_show_enter_the_cohort_aggregate(programme, cohort):
    data = cohort_data(programme=programme, named=False)
    first = next(f for f in cohort_figures(data) if f.number == "1.1.1")
    reports = [assessment_report(assessment=a) for a in cohort]
    shown = [r.statements[0].scores.all_raters for r in reports]

    assert first.leaders == sum(1 for g in shown if g.shown)
    assert first.figures == sum((g.figures for g in shown if g.shown), type(first.figures)())


def test_building_the_data_costs_a_fixed_number_of_queries_per_leader(
    programme, cohort, django_assert_max_num_queries
):
    programme = type(programme).objects.get(pk=programme.pk)
    # The aggregation's fixed handful per leader, and a few for the programme.
    with django_assert_max_num_queries(4 + 8 * len(cohort)):
        cohort_data(programme=programme, named=True)


def test_xlsx_shows_one_decimal_with_a_frozen_header_and_readable_widths():
    table = Table(
        "Scores",
        ("leader", "statement", "n", "mean"),
        [("Alex Leader", "Honest and genuine, true to self " * 3, 6, Decimal(13) / Decimal(3))],
    )
    sheet = load_workbook(io.BytesIO(xlsx_bytes([table], about=[("Leaders", 1)])))["Scores"]

    assert sheet.freeze_panes == "A2"
    n, mean = sheet["C2"], sheet["D2"]
    assert mean.value == pytest.approx(4.3333, abs=1e-4)  # full precision kept in the cell
    assert mean.number_format == "0.0"  # shown as 4.3
    assert n.number_format == "0"
    widths = {column: sheet.column_dimensions[column].width for column in "ABCD"}
    assert widths["A"] >= len("Alex Leader")
    assert widths["A"] < widths["B"] <= 62  # long text: up to 60 characters, then wrapped
    assert sheet["B2"].alignment.wrap_text
    assert widths["C"] >= len("n") and widths["D"] >= len("mean")


def test_every_sheet_of_the_cohort_xlsx_is_formatted(programme, cohort):
    workbook = load_workbook(io.BytesIO(export_file(programme, "xlsx", named=True)))

    for title in ("Scores", "Summary", "Cohort"):
        sheet = workbook[title]
        assert sheet.freeze_panes == "A2", title
        header = [cell.value for cell in sheet[1]]
        assert all(cell.font.bold for cell in sheet[1])
        for column, name in enumerate(header, start=1):
            assert sheet.column_dimensions[get_column_letter(column)].width >= min(len(name), 40)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, float):
                    assert cell.number_format == "0.0", (title, cell.coordinate)
    means = [c for c in workbook["Scores"]["I"][1:] if isinstance(c.value, float)]
    assert means and all(c.number_format == "0.0" for c in means)
