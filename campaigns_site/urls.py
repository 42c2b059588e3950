from django.templatetags.static import static
from django.urls import path
from django.views.generic.base import RedirectView

from campaigns_site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("preferences/theme/", views.set_theme, name="set_theme"),
    path("health/", views.health, name="health"),
    # Browsers ask for /favicon.ico on pages without an icon link (JSON, the 500 page).
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
]
