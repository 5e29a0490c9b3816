from accounts.services import language_remember, profile_for
from lessons.caching import versions


def create_profile(sender, instance, created: bool, **kwargs) -> None:
    if created:
        profile_for(instance)


def restore_language(sender, request, user, **kwargs) -> None:
    language_remember(request=request, language=profile_for(user).language)


def reader_changed(sender, instance, **kwargs) -> None:
    # A learner's account or profile saved (by them, or by staff in admin): what their own parts
    # of pages show (their name, staff links) is stale (lessons.caching.shells).
    versions.changed(versions.reader(getattr(instance, "user_id", instance.pk)))
