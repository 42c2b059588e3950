from django.urls import path

from campaigns_site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("preferences/theme/", views.set_theme, name="set_theme"),
    path("health/", views.health, name="health"),
    path("favicon.ico", views.favicon),
]
