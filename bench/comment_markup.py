"""Benchmark: render pathological comments of the longest allowed length, old and new way.

    .venv/bin/python bench/comment_markup.py [--length 4000] [--runs 3]

For each class of pathological markdown (runs of "[" or "![", backticks, emphasis markers,
deeply nested quotes and lists, mixtures) it renders a few inputs of exactly `--length`
characters and prints, per class, the worst input's time in ms (the best of `--runs` runs of
it): with Python-Markdown as comments were rendered before (called directly here, with the same
sanitiser) and with lessons.markup.render_comment (markdown-it-py), and the ratio. "overflow"
means Python-Markdown ran out of stack (RecursionError). Target: every class well under 100 ms
with render_comment.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import markdown  # noqa: E402 (after the path is set)

from lessons.markup import _comment_cleaner, render_comment  # noqa: E402


def classes(length: int) -> dict[str, list[str]]:
    """Pathological inputs by class, each exactly `length` characters long."""

    def fill(unit: str, tail: str = "") -> str:
        body = unit * (length // len(unit) + 1)
        return body[: length - len(tail)] + tail

    def runs(marker: str, between: str) -> str:
        # Runs of growing length that never close each other: each opener looks far ahead.
        text, size = "", 1
        while len(text) < length:
            text += between + marker * size
            size += 1
        return text[:length]

    def indented(item: str) -> str:
        lines, depth = [], 0
        while sum(map(len, lines)) < length:
            lines.append("  " * depth + item + "\n")
            depth += 1
        return "".join(lines)[:length]

    return {
        'brackets "["': [fill("["), fill("[a"), fill("[\n"), fill("[]("), fill("[a]("), fill("[ ")],
        'images "!["': [fill("!["), fill("![a"), fill("![]("), fill("![a](")],
        "backticks": [fill("`"), runs("`", "e"), runs("`", " "), fill("`a``"), fill("a`")],
        "emphasis * _": [
            fill("*a "), fill("_a "), fill("**a"), fill("*_"), fill("_*"), fill("a**b "),
            fill("***a"), fill("*a_ "), runs("*", "a"), runs("_", " a"),
        ],
        "nested quotes >": [fill(">"), fill("> "), fill(">", " text"), fill("> - ")],
        "nested lists": [
            fill("- "), fill("1. "), fill("* "), fill("1) "), fill("- > "),
            indented("- item"), indented("1. item"),
        ],
        "mixtures": [
            fill("[*_`"), fill("![*"), fill("> [`"), fill("[a](b *c_ `"), fill("> - [*`_!["),
            fill("<a [b `c *d _e"),
        ],
    }  # fmt: skip


def old_render(text: str) -> str:
    """Comments as they were rendered before markdown-it-py (lessons/markup.py until then)."""
    md = markdown.Markdown(extensions=["fenced_code", "nl2br", "sane_lists"], output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return _comment_cleaner.clean(md.convert(text))


def best_ms(render: Callable[[str], str], text: str, runs: int) -> float | None:
    """The fastest of `runs` renders in ms, or None when the renderer overflows the stack."""
    best = float("inf")
    for _run in range(runs):
        start = time.perf_counter()
        try:
            render(text)
        except RecursionError:
            return None
        best = min(best, time.perf_counter() - start)
    return best * 1000


def worst(times: list[float | None]) -> float | None:
    """The slowest time; an overflow is worse than any time."""
    return None if None in times else max(times)


def shown(ms: float | None) -> str:
    return "overflow" if ms is None else f"{ms:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=4000, help="characters per comment")
    parser.add_argument("--runs", type=int, default=3, help="renders per input (best counts)")
    options = parser.parse_args()

    print(f"{'class':<18} {'inputs':>6} {'old ms':>10} {'new ms':>8} {'ratio':>8}")
    slowest_new = 0.0
    for name, texts in classes(options.length).items():
        assert all(len(text) == options.length for text in texts), name
        old = worst([best_ms(old_render, text, options.runs) for text in texts])
        new = worst([best_ms(render_comment, text, options.runs) for text in texts])
        if new is None:
            raise SystemExit(f"{name}: render_comment overflowed the stack")
        slowest_new = max(slowest_new, new)
        ratio = "—" if old is None else f"{old / new:.0f}x"
        print(f"{name:<18} {len(texts):>6} {shown(old):>10} {shown(new):>8} {ratio:>8}")
    print(f"slowest render_comment: {slowest_new:.1f} ms")


if __name__ == "__main__":
    main()
