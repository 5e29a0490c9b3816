"""Practice's answers to the other apps' signals."""

from practice import exports


def learner_data(sender, *, user, **kwargs) -> dict:
    # "Export my data": every check attempt and exercise answer, with its versions.
    return exports.learner_data(user=user)
