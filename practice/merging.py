"""What a browser hands over at sign-in (practice.js): the check answers and exercise drafts
its reader kept while signed out, parsed and bounded before anything is stored."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from lessons.text import control_character_in
from practice.models import ANSWER_MAX_LENGTH

MAX_ANSWERS = 2_000
MAX_DRAFTS = 500
MAX_BODY_BYTES = 2_000_000


class MergeError(ValueError):
    pass


@dataclass
class MergePayload:
    answers: list[dict[str, Any]] = field(default_factory=list)  # check, chosen, at
    drafts: list[dict[str, Any]] = field(default_factory=list)  # lesson, text, at


def _moment(value: Any, where: str, now: datetime) -> datetime:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None or moment.tzinfo is None:
        raise MergeError(_("%(where)s: a time with its offset is needed.") % {"where": where})
    return min(moment, now)  # the browser's clock is its word only: never in the future


def _whole(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise MergeError(_("%(where)s: an id is a positive whole number.") % {"where": where})
    return value


def parse_merge_payload(body: bytes, *, now: datetime) -> MergePayload:
    if len(body) > MAX_BODY_BYTES:
        raise MergeError(_("Too much to hand over at once."))
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise MergeError(_("The answers sent are not valid JSON.")) from None
    if not isinstance(data, dict):
        raise MergeError(_("The answers sent are not valid JSON."))
    answers, drafts = data.get("answers", []), data.get("drafts", [])
    if not isinstance(answers, list) or not isinstance(drafts, list):
        raise MergeError(_("answers and drafts are lists."))
    if len(answers) > MAX_ANSWERS or len(drafts) > MAX_DRAFTS:
        raise MergeError(_("Too much to hand over at once."))
    payload = MergePayload()
    for number, item in enumerate(answers):
        where = f"answers[{number}]"
        if not isinstance(item, dict) or not isinstance(item.get("chosen"), list):
            raise MergeError(_("%(where)s: check, chosen and at are needed.") % {"where": where})
        payload.answers.append(
            {
                "check": _whole(item.get("check"), where),
                "chosen": item["chosen"][:16],
                "at": _moment(item.get("at"), where, now),
            }
        )
    for number, item in enumerate(drafts):
        where = f"drafts[{number}]"
        text = item.get("text") if isinstance(item, dict) else None
        if not isinstance(text, str) or len(text) > ANSWER_MAX_LENGTH:
            raise MergeError(
                _("%(where)s: a text of the allowed length is needed.") % {"where": where}
            )
        if control_character_in(text):
            raise MergeError(_("%(where)s: the text holds a control character.") % {"where": where})
        payload.drafts.append(
            {
                "lesson": _whole(item.get("lesson"), where),
                "text": text,
                "at": _moment(item.get("at"), where, now),
            }
        )
    return payload
