"""Print a new key for ANSWERS_KEY (docs/anonymity.md, docs/operations.md)."""

from django.core.management.base import BaseCommand

from assessments.boxes import key_new


class Command(BaseCommand):
    help = "Print a new random ANSWERS_KEY (base64 of 32 bytes) for encrypting answers at rest."

    def handle(self, *args, **options):
        self.stdout.write(key_new())
