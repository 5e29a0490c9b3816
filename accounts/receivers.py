from accounts.services import language_remember, profile_for


def create_profile(sender, instance, created: bool, **kwargs) -> None:
    if created:
        profile_for(instance)


def restore_language(sender, request, user, **kwargs) -> None:
    language_remember(request=request, language=profile_for(user).language)
