"""Personas and files for importing leaders and assigning staff."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.models import Role
from accounts.roles import role_grant
from tests import factories

HEADINGS = ["name", "email", "line_manager_name", "line_manager_email", "facilitator_email"]


@pytest.fixture(autouse=True)
def _site_urls(settings):
    settings.SITE_URL = "https://lpc360.example.nhs.uk"


@pytest.fixture
def facilitator(programme):
    person = factories.UserFactory(full_name="Fran Facilitator", email="fran.f@example.nhs.uk")
    role_grant(user=person, role=Role.FACILITATOR)
    programme.facilitators.add(person)
    return person


def csv_text(rows, headings=HEADINGS, delimiter=",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headings)
    writer.writerows(rows)
    return out.getvalue()


def csv_upload(rows, headings=HEADINGS, *, name="leaders.csv", encoding="utf-8", **kwargs):
    return SimpleUploadedFile(
        name, csv_text(rows, headings, **kwargs).encode(encoding), content_type="text/csv"
    )


def xlsx_bytes(rows, headings=HEADINGS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headings)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_upload(rows, headings=HEADINGS, *, name="leaders.xlsx"):
    return SimpleUploadedFile(
        name,
        xlsx_bytes(rows, headings),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# Three leaders; the first with a line manager and the facilitator (fixture) to assign.
GOOD_ROWS = [
    [
        "Ada Lovelace",
        "ada.lovelace@example.nhs.uk",
        "Mary Manager",
        "mary.manager@example.nhs.uk",
        "fran.f@example.nhs.uk",
    ],
    ["Ben Okafor", "Ben.Okafor@Example.nhs.uk", "", "", ""],
    ["Chloé Dubois", "chloe.dubois@example.nhs.uk", "", "", ""],
]
