"""What comments hears from the floors below it; each receiver calls one function."""

from comments import exports


def learner_data(sender, *, user, **kwargs) -> dict:
    return exports.learner_data(user=user)
