from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from courses.content import ContentError
from courses.management.migrations_check import require_migrated_database
from courses.services import content_load


class Command(BaseCommand):
    help = (
        "Check every course and lesson file, and the files other apps keep there (level and "
        "achievement rules), under PATH (default: content/) and load them all into the database "
        "in one transaction, or nothing if any file has a problem. A course or lesson edited in "
        "admin since it was last loaded is not overwritten by a changed file: it is reported as "
        "a conflict (see --force)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="content folder (default: content/)")
        parser.add_argument(
            "--check", action="store_true", help="check the files and report, but write nothing"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="overwrite courses and lessons edited in admin since they were last loaded "
            "(a lesson's admin version is kept as a revision first)",
        )

    def handle(self, *args, path: Path | None, check: bool, force: bool, **options) -> None:
        root = (path or settings.CONTENT_DIR).resolve()
        require_migrated_database()
        try:
            report = content_load(root=root, check_only=check, force=force)
        except ContentError as exc:
            for problem in exc.errors:
                self.stderr.write(str(problem))
            count = len(exc.errors)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''} found in {root}; nothing was loaded."
            ) from None
        prefix = "Checked (nothing written)" if check else "Loaded"
        self.stdout.write(f"{prefix} {root}")
        self.stdout.write(f"courses: {report.courses}")
        self.stdout.write(self.style.SUCCESS(f"lessons: {report.lessons}"))
        conflicts = len(report.conflicts)
        style = self.style.WARNING if conflicts else str
        self.stdout.write(style(f"conflicts: {conflicts}"))
        for conflict in report.conflicts:
            self.stdout.write(self.style.WARNING(f"  {conflict}"))
        for label, summary in report.other_apps.items():
            self.stdout.write(f"{label}: {summary}")
