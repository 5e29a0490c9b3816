from lessons.caching import versions


def test_a_bump_changes_only_the_versions_it_names():
    before = versions.current("content", "lesson:1", "lesson:2")
    versions.bump("lesson:1")
    after = versions.current("content", "lesson:1", "lesson:2")
    old, new = before.split("."), after.split(".")
    assert old[0] == new[0] and old[2] == new[2]
    assert old[1] != new[1]


def test_versions_are_stable_between_bumps():
    assert versions.current("content") == versions.current("content")


def test_a_lost_counter_comes_back_newer(settings):
    from lessons.caching import store as cache

    first = int(versions.current("content"))
    cache.clear()
    assert int(versions.current("content")) > first


def test_a_request_reads_each_version_once_and_sees_its_own_bumps():
    from lessons.caching import store as cache

    versions.bump("lesson:7")
    with versions.snapshot():
        first = versions.current("lesson:7")
        # Another process bumps meanwhile: this request keeps the version it started with...
        cache.set("version:lesson:7", 123, timeout=60)
        assert versions.current("lesson:7") == first
        # ...but what it changes itself it sees at once.
        versions.bump("lesson:7")
        assert versions.current("lesson:7") not in (first, "123")
    # The next request (or any code outside one) reads the cache again.
    versions.bump("lesson:7")
    cache.set("version:lesson:7", 456, timeout=60)
    assert versions.current("lesson:7") == "456"
