from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from courses.content import ContentError
from courses.services import content_load


class Command(BaseCommand):
    help = (
        "Check every course and lesson file under PATH (default: content/) and load them all "
        "into the database in one transaction, or nothing if any file has a problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="content folder (default: content/)")
        parser.add_argument(
            "--check", action="store_true", help="check the files and report, but write nothing"
        )

    def handle(self, *args, path: Path | None, check: bool, **options) -> None:
        root = (path or settings.CONTENT_DIR).resolve()
        try:
            report = content_load(root=root, check_only=check)
        except ContentError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            count = len(exc.errors)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''} found in {root}; nothing was loaded."
            ) from None
        prefix = "Checked (nothing written)" if check else "Loaded"
        self.stdout.write(f"{prefix} {root}")
        self.stdout.write(f"courses: {report.courses}")
        self.stdout.write(self.style.SUCCESS(f"lessons: {report.lessons}"))
