from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from courses.services import INSTRUCTOR_GROUP, instructor_group_sync


class Command(BaseCommand):
    help = (
        f"Create the {INSTRUCTOR_GROUP!r} group, or set its permissions back to exactly what "
        "instructors need (safe to run again, and run by every migrate). With --instructor, also "
        "make those users instructors: staff, in the group."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--instructor",
            action="append",
            default=[],
            metavar="EMAIL",
            help="make the user with this email address (or username) an instructor; repeatable",
        )

    def handle(self, *args, instructor: list[str], **options) -> None:
        group = instructor_group_sync()
        self.stdout.write(f"{group.name}: {group.permissions.count()} permissions")
        users = get_user_model().objects
        for name in instructor:
            user = users.filter(email__iexact=name).first() or users.filter(username=name).first()
            if user is None:
                raise CommandError(f"no user with the email address or username {name!r}")
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.groups.add(group)
            self.stdout.write(f"{user.get_username()} is an instructor")
