"""Template helpers of the desk's pages."""

from django import template
from django.utils.html import format_html
from django.utils.timezone import template_localtime

register = template.Library()


@register.filter
def time_tag(value) -> str:
    """`<time datetime="…">dd/mm/aaaa hh:mm</time>` in the portal's time zone: the same as
    `date:'c'` and `date:"d/m/Y H:i"`, in one plain call. The queue shows two per row, and
    the date filter's localized formatting cost ~4 ms of each page (issue 10)."""
    if not value:
        return ""
    local = template_localtime(value)
    return format_html(
        '<time datetime="{}">{}</time>', local.isoformat(), local.strftime("%d/%m/%Y %H:%M")
    )
