from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def optional_url(name, *args, **kwargs):
    """The URL for `name`, or "" while no view has that name yet.

    Lets the layout link to pages that other parts of the site add later (sign-up,
    campaigns, search) without failing before they exist:
    {% optional_url "campaigns:list" as campaigns_url %}{% if campaigns_url %}...
    """
    try:
        return reverse(name, args=args, kwargs=kwargs)
    except NoReverseMatch:
        return ""
