"""`{% personal "slot" key=value %}`: a part of a page that is each reader's own.

The slot is filled by the apps above (lessons.slots) and drawn with only the reader's context
(user, messages, CSRF token, the bell) and the values given: the same whether the page is
rendered whole or filled into a shared shell for signed-in learners (lessons.caching.shells).
Values must be plain (ids, numbers, text): they are kept with the shell.
"""

from __future__ import annotations

from django import template
from django.template.base import FilterExpression, Parser, Token

from lessons.caching.shells import personal_part
from lessons.templatetags.slots import parse_slot_tag

register = template.Library()


class PersonalNode(template.Node):
    def __init__(self, name: FilterExpression, values: dict[str, FilterExpression]):
        self.name = name
        self.values = values

    def render(self, context: template.Context) -> str:
        values = {name: value.resolve(context) for name, value in self.values.items()}
        return personal_part(context, self.name.resolve(context), values)


@register.tag
def personal(parser: Parser, token: Token) -> PersonalNode:
    return PersonalNode(*parse_slot_tag(parser, token))
