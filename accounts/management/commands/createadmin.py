import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from accounts.services import admin_create


class Command(BaseCommand):
    help = (
        "Create a superuser who signs in with an email address, as every Stream account does "
        "(a verified, primary address, which allauth needs). Asks for the email address, a "
        "display name and the password; --email, --display-name and the DJANGO_SUPERUSER_PASSWORD "
        "environment variable answer them without asking (--noinput)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", help="the email address to sign in with")
        parser.add_argument("--display-name", default="", help="shown beside their comments")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive",
            help="ask nothing: take the password from DJANGO_SUPERUSER_PASSWORD",
        )  # fmt: skip

    def handle(self, *args, email: str | None, display_name: str, interactive: bool, **options):
        email = (email or "").strip() or (self._ask("Email address: ") if interactive else "")
        if not email:
            raise CommandError("An email address is needed: it is what admins sign in with.")
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not a valid email address.") from None
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
        if not password:
            if not interactive:
                raise CommandError("Set DJANGO_SUPERUSER_PASSWORD, or run without --noinput.")
            password = self._ask_password()
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        try:
            user = admin_create(email=email, password=password, display_name=display_name)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Superuser {user.email} created: sign in at /admin/"))

    def _ask(self, prompt: str) -> str:
        try:
            return input(prompt).strip()
        except EOFError:
            raise CommandError("No answer (standard input is closed); use --email.") from None

    def _ask_password(self) -> str:
        for _attempt in range(3):
            password = getpass.getpass("Password: ")
            if password and password == getpass.getpass("Password (again): "):
                return password
            self.stderr.write("The passwords did not match, or were empty. Try again.")
        raise CommandError("No password set.")
