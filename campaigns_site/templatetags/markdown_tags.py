"""{% load markdown_tags %}: a summary's text as the page shows it."""

from django import template

from campaigns_site.markdown_text import markdown_html

register = template.Library()


@register.filter
def markdown(text):
    """Markdown (a summary imported from v1.0) as safe HTML: campaigns_site.markdown_text,
    which imports markdown-it only when a page shows some (this module is imported with the
    template engine, at every cold start)."""
    return markdown_html(text)
