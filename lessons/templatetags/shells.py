"""`{% personal "template.html" name=value %}`: a part of a page that is each reader's own.

Rendered like an include with only the reader's context (user, messages, CSRF token, the bell)
and the values given: the same whether the page is rendered whole or filled into a shared
shell for signed-in learners (lessons.shells). Values must be picklable; they are kept with
the shell.
"""

from __future__ import annotations

from django import template
from django.template.base import FilterExpression, Parser, Token

from lessons.shells import personal_part

register = template.Library()


class PersonalNode(template.Node):
    def __init__(self, template_name: FilterExpression, values: dict[str, FilterExpression]):
        self.template_name = template_name
        self.values = values

    def render(self, context: template.Context) -> str:
        values = {name: value.resolve(context) for name, value in self.values.items()}
        return personal_part(context, self.template_name.resolve(context), values)


@register.tag
def personal(parser: Parser, token: Token) -> PersonalNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(
            f'{bits[0]} takes a template name: {{% {bits[0]} "part.html" name=value %}}'
        )
    values = template.base.token_kwargs(bits[2:], parser, support_legacy=False)
    if len(values) != len(bits) - 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes only name=value after the template")
    return PersonalNode(parser.compile_filter(bits[1]), values)
