from progress.services import event_record, language_remember, profile_for


def create_profile(sender, instance, created: bool, **kwargs) -> None:
    if created:
        profile_for(instance)


def restore_language(sender, request, user, **kwargs) -> None:
    language_remember(request=request, language=profile_for(user).language)


def record_comment_posted(sender, *, user, key: str, **kwargs) -> None:
    event_record(user=user, kind="comments_posted", key=key)


def record_reply_received(sender, *, user, key: str, **kwargs) -> None:
    event_record(user=user, kind="replies_received", key=key)


def record_report_confirmed(sender, *, user, key: str, **kwargs) -> None:
    event_record(user=user, kind="reports_confirmed", key=key)
