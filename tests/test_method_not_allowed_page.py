"""An action's address opened as a page: a 405 with a page saying so (not an empty body),
its Allow header kept, nothing changed; for the owner, another user and nobody."""

import pytest
from django.urls import reverse


def _archive_url(campaign):
    return reverse("campaigns:archive", args=[campaign.campaign_id])


def test_the_owner_gets_a_page_that_says_what_happened(owner, campaign):
    response = owner.get(_archive_url(campaign))
    assert response.status_code == 405 and response["Allow"] == "POST"
    page = response.content.decode()
    assert "This address belongs to a button" in page and "Nothing was changed" in page
    assert "Secret Strahd" not in page
    assert owner.get(reverse("campaigns:detail", args=[campaign.campaign_id])).status_code == 200


def test_another_user_learns_nothing_of_the_campaign(other, campaign):
    response = other.get(_archive_url(campaign))
    assert response.status_code in (404, 405) and "Secret Strahd" not in response.content.decode()


@pytest.mark.usefixtures("aws")
def test_nobody_is_sent_to_sign_in_or_told_it_is_a_button(anonymous, campaign):
    response = anonymous.get(_archive_url(campaign))
    assert response.status_code in (302, 405) and "Secret Strahd" not in response.content.decode()


def test_a_head_request_keeps_django_s_answer(owner, campaign):
    response = owner.head(_archive_url(campaign))
    assert response.status_code == 405 and response.content == b""
