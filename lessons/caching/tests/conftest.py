"""The caching layer's tests live beside it; they share the project's fixtures (tests/)."""

from tests.conftest import (  # noqa: F401 - fixtures, found by name
    _fast_password_hashing,
    _fresh_cache,
    content_copy,
    learner,
    sample_content,
    staff_client,
    staff_user,
)
from tests.courses.conftest import course_tree, instructor, instructor_client  # noqa: F401
from tests.production.conftest import (  # noqa: F401
    fresh_outages,
    redis_away,
    redis_server,
    settings_for,
)
from tests.progress.conftest import lessons, signed_in  # noqa: F401
