from django.apps import AppConfig


class CampaignsSiteConfig(AppConfig):
    name = "campaigns_site"
    verbose_name = "Campaign Sessions platform"
