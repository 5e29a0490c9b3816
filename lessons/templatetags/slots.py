"""`{% slot "name" key=value %}`: what the apps above fill into a named place (lessons.slots)."""

from __future__ import annotations

from django import template
from django.template.base import FilterExpression, Parser, Token

from lessons import slots

register = template.Library()


class SlotNode(template.Node):
    def __init__(self, name: FilterExpression, values: dict[str, FilterExpression]):
        self.name = name
        self.values = values

    def render(self, context: template.Context) -> str:
        values = {name: value.resolve(context) for name, value in self.values.items()}
        return slots.render(self.name.resolve(context), context, values)


def parse_slot_tag(parser: Parser, token: Token) -> tuple[FilterExpression, dict]:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(
            f'{bits[0]} takes a slot name: {{% {bits[0]} "name" key=value %}}'
        )
    values = template.base.token_kwargs(bits[2:], parser, support_legacy=False)
    if len(values) != len(bits) - 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes only key=value after the name")
    return parser.compile_filter(bits[1]), values


@register.tag
def slot(parser: Parser, token: Token) -> SlotNode:
    return SlotNode(*parse_slot_tag(parser, token))
