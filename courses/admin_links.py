"""A lesson's further-reading links edited as rows of title and address, not as raw JSON.

The rows are stored as they always were, in the lesson's `links` JSON list, so files, the loader
and the site see no difference. Every row is plain HTML inputs: without JavaScript the form
offers a few empty rows and saving brings more; with it, "Add another link" adds one at once.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from courses.content.checks import link_problems

Rows = list[dict[str, str]]


class LinkRowsWidget(forms.Widget):
    """Repeated title + URL inputs named `<name>-<n>-title` and `<name>-<n>-url`."""

    template_name = "admin/widgets/link_rows.html"

    def __init__(self, attrs: dict | None = None, *, spare_rows: int = 2):
        super().__init__(attrs)
        self.spare_rows = spare_rows
        # Set by LinksField.clean for the form being shown again: {row index: [messages]}.
        self.row_errors: dict[int, list[str]] = {}

    def value_from_datadict(self, data, files, name: str) -> Rows | str:
        # A whole JSON list posted under the field's own name (scripts, older clients) is still
        # taken as it is.
        if name in data:
            return data[name]
        pattern = re.compile(rf"^{re.escape(name)}-(\d+)-(title|url)$")
        rows: dict[int, dict[str, str]] = {}
        for key in data:
            if match := pattern.match(key):
                row = rows.setdefault(int(match[1]), {"title": "", "url": ""})
                row[match[2]] = data.get(key, "")
        # A row left empty is no link: that is how an instructor removes one.
        return [
            {"title": row["title"], "url": row["url"]}
            for _index, row in sorted(rows.items())
            if row["title"].strip() or row["url"].strip()
        ]

    def id_for_label(self, id_: str) -> str:
        # The field's label names the first row's title, the first input an instructor fills.
        return f"{id_}-0-title" if id_ else id_

    def value_omitted_from_data(self, data, files, name: str) -> bool:
        # Empty rows are a real answer (no links), not a field the form did not send.
        return False

    def rows(self, value: Any) -> Rows:
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip() else []
            except ValueError:
                return [{"title": "", "url": value}]
        if not isinstance(value, list):
            return []
        return [
            {"title": str(item.get("title", "")), "url": str(item.get("url", ""))}
            for item in value
            if isinstance(item, dict)
        ]

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        filled = self.rows(value)
        spare = self.spare_rows + (1 if not filled else 0)
        rows = [*filled, *({"title": "", "url": ""} for _ in range(spare))]
        context["rows"] = [
            {
                "index": index,
                "number": index + 1,
                "title": row["title"],
                "url": row["url"],
                "errors": self.row_errors.get(index, []),
            }
            for index, row in enumerate(rows)
        ]
        return context

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        # The project's template engine, which finds templates/admin/…, rather than the form
        # renderer's own.
        return render_to_string(self.template_name, self.get_context(name, value, attrs))


class LinksField(forms.Field):
    """A list of {"title", "url"}, checked as the loader checks it (http and https only)."""

    widget = LinkRowsWidget
    default_error_messages = {"invalid_json": _("Enter the links as rows of title and URL.")}

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                return []
            try:
                return json.loads(value)
            except ValueError:
                raise forms.ValidationError(
                    self.error_messages["invalid_json"], code="invalid_json"
                ) from None
        return value if value is not None else []

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def clean(self, value: Any) -> Rows:
        value = super().clean(value)
        links, problems = link_problems(value)
        self.widget.row_errors = {}
        for index, message in problems:
            if index is not None:
                self.widget.row_errors.setdefault(index, []).append(message)
        if problems:
            # The loader's words, each naming its row, as the loader names the list item.
            raise forms.ValidationError(
                [
                    message if index is None else f"links[{index + 1}]: {message}"
                    for index, message in problems
                ]
            )
        return links

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != (initial or [])
        except forms.ValidationError:
            return True
