"""A framework version referenced by an assessment can be neither edited nor deleted."""

import pytest
from django.contrib.admin.sites import site
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test import RequestFactory

from framework.models import Framework, FrameworkInUse, Quality, Statement, Theme
from tests.factories import AssessmentFactory, UserFactory

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL only"
)


@pytest.fixture
def used_framework(programme):
    AssessmentFactory(programme=programme)
    return programme.framework


def test_unused_framework_can_be_edited(framework):
    statement = Statement.objects.filter(quality__theme__framework=framework).first()
    statement.text = "Edited before anyone used it"
    statement.save()
    statement.refresh_from_db()
    assert statement.text == "Edited before anyone used it"


@pytest.mark.parametrize("model", [Framework, Theme, Quality, Statement])
def test_orm_save_is_refused_once_used(used_framework, model):
    obj = model.objects.first()
    field = "text" if model is Statement else "name"
    setattr(obj, field, "Changed")
    with pytest.raises(FrameworkInUse):
        obj.save()
    obj.refresh_from_db()
    assert getattr(obj, field) != "Changed"


def test_adding_a_statement_to_a_used_version_is_refused(used_framework):
    quality = Quality.objects.first()
    with pytest.raises(FrameworkInUse):
        Statement.objects.create(quality=quality, order=99, kind="personalised_care", text="New")


def test_delete_is_refused_once_used(used_framework):
    with pytest.raises(FrameworkInUse):
        Statement.objects.first().delete()
    with pytest.raises((FrameworkInUse, ProtectedError)):
        used_framework.delete()
    assert Statement.objects.count() == 39


@postgres_only
def test_database_refuses_bulk_update_and_delete(used_framework):
    with pytest.raises(IntegrityError), transaction.atomic():
        Statement.objects.filter(quality__theme__framework=used_framework).update(text="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Statement.objects.filter(quality__theme__framework=used_framework)._raw_delete("default")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE framework_theme SET name = 'x'")
    assert Statement.objects.exclude(text="x").count() == 39


def test_reloading_an_unchanged_used_version_is_allowed(used_framework):
    call_command("load_framework", verbosity=0)
    assert Statement.objects.count() == 39


def test_reloading_a_changed_used_version_is_refused(used_framework, tmp_path):
    import json
    from pathlib import Path

    source = next((Path(__file__).resolve().parents[2] / "fixtures").glob("*.json"))
    data = json.loads(source.read_text())
    data["themes"][0]["qualities"][0]["statements"][1]["text"] = "A silent edit"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="Publish a new version"):
        call_command("load_framework", str(changed), verbosity=0)
    assert not Statement.objects.filter(text="A silent edit").exists()


def test_admin_is_read_only_for_a_used_version(used_framework, framework):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    statement = Statement.objects.first()
    statement_admin = site._registry[Statement]
    framework_admin = site._registry[Framework]
    assert not statement_admin.has_change_permission(request, statement)
    assert not statement_admin.has_delete_permission(request, statement)
    assert not framework_admin.has_change_permission(request, used_framework)
    assert statement_admin.has_view_permission(request, statement)


def test_admin_can_edit_an_unused_version(framework, client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    statement = Statement.objects.first()
    response = client.get(f"/admin/framework/statement/{statement.pk}/change/")
    assert response.status_code == 200
    assert b'name="text"' in response.content
