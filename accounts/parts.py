"""What accounts draws into the pages of the floors below (lessons.slots): the reader's own
links in the header."""

from lessons import slots


def register() -> None:
    """Called from AccountsConfig.ready()."""
    slots.register("header-account", "accounts/parts/header_account.html")
