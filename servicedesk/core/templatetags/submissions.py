"""{% submission_field action form %}: the one-time token of a form that creates something."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..submissions import FIELD, token_to_render

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_field(context, action: str, form=None) -> SafeString:
    """The hidden token of a form posted to `action` (its address, from {% url … as … %}).
    Pass the form when it can come back with errors, so that it keeps its token."""
    token = token_to_render(context["request"], action, form)
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, token)
