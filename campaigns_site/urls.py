from django.urls import path

from campaigns_site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
]
