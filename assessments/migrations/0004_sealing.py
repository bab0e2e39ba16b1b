"""Sealing without a trail (PRODUCT.md promise 5, docs/anonymity.md).

Drafts move into an encrypted box; submitted rater answers wait in encrypted envelopes;
responses lose their submission day and ratings and comments get random ids; k is fixed
when the first invitation goes out; the leader's self-assessment day moves to the
assessment.
"""

import uuid

from django.db import migrations, models
from django.db.models import Min


def forwards(apps, schema_editor):
    from assessments.boxes import box_seal

    Draft = apps.get_model("assessments", "Draft")
    for draft in Draft.objects.all():
        draft.box = box_seal(
            {"answers": draft.answers or {}, "comments": draft.comments or {}}, purpose="draft"
        )
        draft.save(update_fields=["box"])
    Response = apps.get_model("assessments", "Response")
    Assessment = apps.get_model("assessments", "Assessment")
    for assessment_id, day in Response.objects.filter(rater_group="self").values_list(
        "assessment_id", "submitted_on"
    ):
        Assessment.objects.filter(pk=assessment_id).update(self_submitted_on=day)
    Programme = apps.get_model("assessments", "Programme")
    for programme in Programme.objects.annotate(
        first=Min("assessments__invitations__invited_at")
    ).filter(first__isnull=False):
        Programme.objects.filter(pk=programme.pk).update(threshold_fixed_at=programme.first)


def fill_ids(apps, schema_editor):
    for name in ("Rating", "ThemeComment"):
        model = apps.get_model("assessments", name)
        for pk in model.objects.values_list("pk", flat=True):
            model.objects.filter(pk=pk).update(new_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_release_reopen_purge")]

    operations = [
        migrations.AddField(
            model_name="programme",
            name="threshold_fixed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the first invitation went out: from then on k is the k raters "
                "were promised, and cannot change.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="assessment",
            name="self_submitted_on",
            field=models.DateField(
                blank=True,
                help_text="The day the leader submitted their self-assessment.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="draft", name="box", field=models.BinaryField(default=b"")
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(model_name="draft", name="answers"),
        migrations.RemoveField(model_name="draft", name="comments"),
        migrations.AlterField(model_name="draft", name="box", field=models.BinaryField()),
        migrations.RemoveField(model_name="response", name="submitted_on"),
        migrations.AddField(
            model_name="response",
            name="held",
            field=models.BooleanField(
                default=False,
                help_text="Arrived after the leader's reports were released and is not in "
                "them yet: added only when that cannot single anyone out (reports.versions).",
            ),
        ),
        migrations.CreateModel(
            name="Envelope",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "rater_group",
                    models.CharField(
                        choices=[
                            ("self", "Self"),
                            ("line_manager", "Line manager"),
                            ("peer", "Peer"),
                            ("direct_report", "Direct report"),
                            ("other", "Other (partner, community member, person who uses services)"),
                        ],
                        max_length=20,
                    ),
                ),
                ("box", models.BinaryField()),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE,
                        related_name="envelopes",
                        to="assessments.assessment",
                    ),
                ),
            ],
        ),
        # Random ids for ratings and comments: a sequence gives away the order of writing.
        migrations.AddField(
            model_name="rating", name="new_id", field=models.UUIDField(null=True)
        ),
        migrations.AddField(
            model_name="themecomment", name="new_id", field=models.UUIDField(null=True)
        ),
        migrations.RunPython(fill_ids, migrations.RunPython.noop),
        migrations.RemoveField(model_name="rating", name="id"),
        migrations.RemoveField(model_name="themecomment", name="id"),
        migrations.RenameField(model_name="rating", old_name="new_id", new_name="id"),
        migrations.RenameField(model_name="themecomment", old_name="new_id", new_name="id"),
        migrations.AlterField(
            model_name="rating",
            name="id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, primary_key=True, serialize=False
            ),
        ),
        migrations.AlterField(
            model_name="themecomment",
            name="id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, primary_key=True, serialize=False
            ),
        ),
    ]
