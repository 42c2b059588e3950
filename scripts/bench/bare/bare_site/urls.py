from django.http import HttpResponse
from django.urls import path


def home(request):
    return HttpResponse("<!doctype html><title>Bare</title><h1>Hello</h1>")


urlpatterns = [path("", home)]
