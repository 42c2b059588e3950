import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import Client
from django.urls import include, path


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("", include("campaigns_site.urls")),
    path("forbidden/", forbidden),
    path("broken/", broken),
]
handler500 = "campaigns_site.views.server_error"  # as campaigns_site.urls says


def test_unknown_page_uses_the_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert [t.name for t in response.templates][:2] == ["404.html", "base.html"]
    html = response.content.decode()
    assert "This page is not on the map" in html
    assert 'href="/"' in html


def test_404_keeps_the_theme(client):
    client.cookies["theme"] = "dark"
    assert 'data-theme="dark"' in client.get("/no/such/page/").content.decode()


@pytest.mark.urls(__name__)
def test_permission_denied_uses_the_friendly_403(client):
    response = client.get("/forbidden/")
    assert response.status_code == 403
    assert response.templates[0].name == "403.html"
    assert "You can't open this page" in response.content.decode()


@pytest.mark.urls(__name__)
def test_server_error_uses_the_standalone_500():
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "boom" not in html


def test_500_page_renders_with_no_context_at_all():
    # Django renders 500.html with an empty context: no request, user or context processors.
    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html
    assert '<a href="/">' in html


def test_favicon_ico_redirects_to_the_svg_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
