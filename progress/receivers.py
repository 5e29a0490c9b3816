"""What progress hears from the floors below it and from comments; each receiver calls a service."""

from courses.services import ExportReport
from lessons.caching import versions
from progress import exports
from progress.cache_names import leaderboard, learner
from progress.models import Completion, XPEntry
from progress.rules_export import rules_export
from progress.services import event_record, event_withdraw, rules_load


def record_comment_posted(sender, *, user, key: str, **kwargs) -> None:
    event_record(user=user, kind="comments_posted", key=key)


def record_reply_received(sender, *, user, key: str, **kwargs) -> None:
    event_record(user=user, kind="replies_received", key=key)


def withdraw_comment_posted(sender, *, user, key: str, **kwargs) -> None:
    event_withdraw(user=user, kind="comments_posted", key=key)


def withdraw_reply_received(sender, *, user, key: str, **kwargs) -> None:
    event_withdraw(user=user, kind="replies_received", key=key)


def record_report_confirmed(sender, *, user, key: str, **kwargs) -> None:
    event_record(user=user, kind="reports_confirmed", key=key)


def learner_data(sender, *, user, **kwargs) -> dict:
    return exports.learner_data(user=user)


def load_rules(sender, *, root, **kwargs) -> dict[str, str]:
    report = rules_load(root=root)
    return {"levels": report.levels, "achievements": report.achievements}


def export_rules(sender, *, root, force: bool, **kwargs) -> ExportReport:
    return rules_export(root=root, force=force)


def learner_figures_changed(sender, *, instance, **kwargs) -> None:
    # A completion, XP entry or achievement came or went: the learner's cached bar is stale,
    # and XP moves everyone's weekly rank.
    names = [learner(instance.user_id)]
    if sender is XPEntry:
        names.append(leaderboard())
    versions.changed(*names)


def leaderboard_membership_changed(sender, *, instance, **kwargs) -> None:
    # Joining or leaving the weekly board (a setting) moves the ranks of those on it.
    versions.changed(leaderboard())


def lesson_readers(sender, **kwargs):
    # Readers, for lists that weigh reports against them: learners who completed the lesson.
    return Completion.objects.readers_per_lesson()
