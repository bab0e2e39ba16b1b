from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from framework.services import FrameworkInUse, framework_fixture_paths, framework_load_file


class Command(BaseCommand):
    help = "Load the framework versions in fixtures/ (or the files named). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path)

    def handle(self, *args, paths, **options):
        for path in paths or framework_fixture_paths():
            try:
                result = framework_load_file(path=path)
            except FrameworkInUse as error:
                raise CommandError(f"{path.name}: {error.messages[0]}") from error
            except (OSError, ValueError, KeyError) as error:
                raise CommandError(f"{path}: cannot load ({error})") from error
            fw = result.framework
            summary = (
                f"{len(result.created)} created, {len(result.updated)} updated"
                if result.changed
                else "already up to date"
            )
            self.stdout.write(f"{fw} from {path.name}: {summary}.")
