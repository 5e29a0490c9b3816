"""Searching published lessons: what a query asks for, the matches ranked, and their snippets.

On PostgreSQL, full-text search over the search columns the database keeps up to date
(courses/migrations/0006_lesson_language_and_search.py), with trigram similarity to forgive typos;
elsewhere (the SQLite default of `scripts/serve`), a plain `icontains` over the same fields.
django.contrib.postgres is imported only on PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Concat, Left
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from lessons.text import strip_controls

MAX_QUERY_LENGTH = 200  # characters; a longer query is cut, saying so
MAX_WORDS = 12  # a query of more words says nothing more, and only costs time
SNIPPET_WORDS = 30  # about how many words a snippet shows
SNIPPET_SOURCE_CHARS = 2000  # of the body, where PostgreSQL looks for a snippet

# ts_headline marks matches with these; the text between them is escaped in Python, so no
# lesson text or query can add markup to the page.
_START, _STOP = "\x02", "\x03"
# Every matched word, with its weight in ts_rank (title A ... course title D).
_RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]  # D, C, B, A
# How much a close spelling (trigram word similarity, 0–1) adds to a lesson's score.
_SIMILARITY_WEIGHT = 0.5
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")


@dataclass(frozen=True)
class SearchTerms:
    """A query as typed, cleaned: `text` at most MAX_QUERY_LENGTH characters (`truncated`
    when it was longer) and its `words`."""

    text: str
    words: tuple[str, ...]
    truncated: bool = False

    @classmethod
    def parse(cls, raw: str) -> SearchTerms:
        # Control characters go: nobody searches for them, and PostgreSQL cannot take U+0000
        # in a query at all. Refusing would only leave a reader with no results and no reason.
        text = " ".join(strip_controls(raw).split())
        truncated = len(text) > MAX_QUERY_LENGTH
        if truncated:
            text = text[:MAX_QUERY_LENGTH].rstrip()
        words = tuple(dict.fromkeys(word.lower() for word in re.findall(r"\w+", text)))
        return cls(text=text, words=words[:MAX_WORDS], truncated=truncated)

    def __bool__(self) -> bool:
        return bool(self.words)


def lessons_matching(lessons: QuerySet, *, terms: SearchTerms) -> QuerySet:
    """`lessons` that match `terms`, best first, each with a `score`."""
    if not terms:
        return lessons.none()
    if connection.vendor == "postgresql":
        return _postgres_matching(lessons, terms)
    return fallback_matching(lessons, terms=terms)


def lesson_snippets(lessons: Sequence, *, terms: SearchTerms) -> None:
    """Set `title_marked` and `snippet` on each of `lessons` (a page of results): HTML, with the
    matches in <mark> and everything else escaped."""
    if not lessons:
        return
    if connection.vendor == "postgresql":
        _postgres_snippets(lessons, terms)
    else:
        for lesson in lessons:
            lesson.title_marked = marked(lesson.title, terms.words)
            lesson.snippet = text_snippet(f"{lesson.summary} {lesson.body_text}", terms.words)


# --- PostgreSQL ----------------------------------------------------------------------------------


class _Matches(Func):
    """`search_vector @@ query`, as a condition (Django's lookup for it belongs to
    django.contrib.postgres's own field)."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class _CloseTo(Func):
    """`text <% search_words`: some stretch of search_words is spelled like `text` (pg_trgm's
    word similarity, above pg_trgm.word_similarity_threshold: 0.6); uses the trigram index."""

    arg_joiner = " <%% "  # %% for the driver: the SQL holds parameters
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _lesson_config() -> Case:
    """Each lesson's text search configuration, as the trigger that fills its vector chose it."""
    return Case(When(language="ko", then=Value("simple")), default=Value("english"))


def _tsquery(terms: SearchTerms):
    from django.contrib.postgres.search import SearchQuery

    # Every word, as a prefix ("모델" finds "모델은", the word with its particle; "diffus"
    # finds "diffusion"). The words are \w+ runs, so they cannot carry tsquery operators.
    raw = " & ".join(f"{word}:*" for word in terms.words)
    # Read English words as English (stemmed) for English lessons, and as written for Korean
    # ones and Korean words.
    query = SearchQuery(raw, config="simple", search_type="raw")
    if not _HANGUL.search(terms.text):
        query = SearchQuery(raw, config="english", search_type="raw") | query
    return query


def _postgres_matching(lessons: QuerySet, terms: SearchTerms) -> QuerySet:
    from django.contrib.postgres.search import SearchRank, TrigramWordSimilarity

    query = _tsquery(terms)
    return (
        lessons.alias(
            found=_Matches(F("search_vector"), query),
            close=_CloseTo(Value(terms.text), F("search_words")),
        )
        .filter(Q(found=True) | Q(close=True))
        .annotate(
            score=SearchRank(F("search_vector"), query, weights=_RANK_WEIGHTS)
            + _SIMILARITY_WEIGHT * TrigramWordSimilarity(Value(terms.text), F("search_words"))
        )
        .order_by("-score", "course__order", "order", "id")
    )


def _postgres_snippets(lessons: Sequence, terms: SearchTerms) -> None:
    from django.contrib.postgres.search import SearchConfig, SearchHeadline

    from courses.models import Lesson

    query = _tsquery(terms)
    config = SearchConfig(_lesson_config())
    options = {"start_sel": _START, "stop_sel": _STOP}
    rows = (
        Lesson.objects.filter(id__in=[lesson.id for lesson in lessons])
        .annotate(
            title_headline=SearchHeadline(
                "title", query, config=config, highlight_all=True, **options
            ),
            text_headline=SearchHeadline(
                # ts_headline reads its whole document: the summary and the body's opening
                # keep it quick. A lesson matched only further on gets text_snippet below.
                Concat("summary", Value(" "), Left("body_text", SNIPPET_SOURCE_CHARS)),
                query,
                config=config,
                max_words=SNIPPET_WORDS,
                min_words=SNIPPET_WORDS // 2,
                max_fragments=2,
                fragment_delimiter=" … ",
                **options,
            ),
        )
        .values_list("id", "title_headline", "text_headline")
    )
    headlines = {id_: (title, text) for id_, title, text in rows}
    for lesson in lessons:
        title, text = headlines.get(lesson.id, (lesson.title, ""))
        lesson.title_marked = _headline_html(title)
        if _START in text:
            lesson.snippet = _headline_html(text)
        else:
            # Matched further on in the body, by its spelling, or in its tags or course title:
            # the first place a word of the query is, or the summary's start.
            lesson.snippet = text_snippet(f"{lesson.summary} {lesson.body_text}", terms.words)


def _headline_html(headline: str) -> SafeString:
    """ts_headline's text as HTML: each part escaped, the marked ones in <mark>."""
    parts = []
    for chunk in headline.split(_START):
        marked_part, stop, rest = chunk.partition(_STOP)
        if stop:
            parts.append(f"<mark>{escape(marked_part)}</mark>{escape(rest)}")
        else:
            parts.append(escape(chunk))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


# --- Any other database ------------------------------------------------------------------------


def fallback_matching(lessons: QuerySet, *, terms: SearchTerms) -> QuerySet:
    """Lessons holding every word of `terms` in a field (any case), title hits first: the search
    for databases without full-text search, such as SQLite."""
    for word in terms.words:
        lessons = lessons.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(body_text__icontains=word)
            | Q(takeaways_md__icontains=word)
            | Q(course__title__icontains=word)
            | Q(id__in=_tagged(lessons.model, word))
        )
    in_title = Q()
    for word in terms.words:
        in_title &= Q(title__icontains=word)
    return lessons.annotate(
        score=Case(
            When(in_title, then=Value(2)),
            When(summary__icontains=terms.words[0], then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).order_by("-score", "course__order", "order", "id")


def _tagged(model, word: str) -> QuerySet:
    return model.tags.through.objects.filter(tag__slug__icontains=word).values("lesson_id")


def marked(text: str, words: Iterable[str]) -> SafeString:
    """`text` escaped, with every occurrence of `words` (any case) in <mark>."""
    words = [word for word in words if word]
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


def text_snippet(text: str, words: Iterable[str]) -> SafeString:
    """About SNIPPET_WORDS words of `text` around the first of `words` in it (or its start),
    marked as `marked` marks them."""
    words = list(words)
    lowered = text.lower()
    first = min((i for i in (lowered.find(word) for word in words) if i >= 0), default=0)
    tokens_before = text[:first].split()
    start_token = max(0, len(tokens_before) - SNIPPET_WORDS // 3)
    tokens = text.split()[start_token : start_token + SNIPPET_WORDS]
    snippet = " ".join(tokens)
    if start_token > 0:
        snippet = "… " + snippet
    if start_token + SNIPPET_WORDS < len(text.split()):
        snippet += " …"
    return marked(snippet, words)
