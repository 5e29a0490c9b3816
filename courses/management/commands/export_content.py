from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from courses.management.migrations_check import require_migrated_database
from courses.services import content_export


class Command(BaseCommand):
    help = (
        "Write every course and lesson that is not archived from the database to files under "
        "PATH (default: content/) in the format load_content reads, with the level and "
        "achievement rules, so that admin edits can be committed with the rest of the content. "
        "Loading the result back reports no change."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="content folder (default: content/)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="also overwrite files that were edited since they were last loaded",
        )

    def handle(self, *args, path: Path | None, force: bool, **options) -> None:
        root = (path or settings.CONTENT_DIR).resolve()
        require_migrated_database()
        report = content_export(root=root, force=force)
        self.stdout.write(f"Exported to {root}")
        for written in report.written:
            self.stdout.write(f"  wrote {written}")
        self.stdout.write(
            self.style.SUCCESS(
                f"files: {len(report.written)} written, {report.unchanged} unchanged"
            )
        )
        if report.skipped:
            self.stdout.write(
                self.style.WARNING(
                    f"skipped: {len(report.skipped)} (changed since they were last loaded: run "
                    "load_content first, or export again with --force to overwrite them)"
                )
            )
            for skipped in report.skipped:
                self.stdout.write(self.style.WARNING(f"  {skipped}"))
