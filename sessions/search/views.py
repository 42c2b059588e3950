"""Search all my sessions: /search/ (sessions:search).

A GET form (words, campaign, dates played); the results, newest first, with the words
marked in the title and in snippets of the notes and the recap, and every place each word
is, each a link: the title and notes to the session page, a summary to its section there
(#summary-<kind>), a speaker to the reader showing their lines, the transcript to the
reader at the first line with the most of the words, on the plain page around it, the line
highlighted and the words marked (`?mark=…&first=1`, sessions/transcripts/reader_views.py).

What a page costs after the sign-in (pinned in tests/test_search_view.py): without words
to search for, one Query of my campaigns (the choices); with them, the search's requests
(sessions/search/services.py), my campaigns among them in its first round trip (the
choices, and the names results show). A forged or stale page link is refused before any
request.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from campaigns_site.owners import sub
from campaigns_site.pagination import InvalidCursor
from sessions.search import services as search_service
from sessions.search.forms import SearchForm

_QUERY_PARAMETERS = ("q", "campaign", "played_from", "played_to")


def _query_string(request, **extra):
    params = {name: request.GET.get(name, "") for name in _QUERY_PARAMETERS}
    params.update(extra)
    return urlencode({name: value for name, value in params.items() if value})


def _start_over(request):
    from campaigns_site.views import start_over

    first_page = reverse("sessions:search")
    query = _query_string(request)
    return start_over(request, f"{first_page}?{query}" if query else first_page)


@login_required
@require_GET
def search(request):
    owner = sub(request)
    cursor = request.GET.get("cursor") or None
    if cursor:
        try:  # before any request: a forged, stale or borrowed page link reads nothing
            search_service.check_cursor(
                sub=owner,
                cursor=cursor,
                text=request.GET.get("q", ""),
                campaign_id=request.GET.get("campaign") or None,
                played_from=request.GET.get("played_from") or None,
                played_to=request.GET.get("played_to") or None,
            )
        except InvalidCursor:
            return _start_over(request)

    data = request.GET if "q" in request.GET else None
    page = None
    # The words and dates are checked first; my campaigns are then read in the search's own
    # round trip (not one before it), and the campaign asked for is checked against them.
    if data is not None and (words_and_dates := SearchForm(data, campaigns=None)).is_valid():
        try:
            page = search_service.search_sessions(
                sub=owner, cursor=cursor, limit=search_service.PAGE_SIZE, **words_and_dates.query()
            )
        except InvalidCursor:
            return _start_over(request)
        campaigns = page.campaigns
    else:
        campaigns = search_service.campaigns_for_search(sub=owner)
    form = SearchForm(data, campaigns=campaigns)
    if page is not None and not form.is_valid():
        page = None  # not one of my campaigns: the search read only my own items, and shows none of them
    return render(
        request,
        "sessions/search.html",
        {
            "form": form,
            "page": page,
            "results": [_for_template(result) for result in page.results] if page else [],
            "has_campaigns": bool(campaigns),
            "is_first_page": cursor is None,
            "first_page_url": f"?{_query_string(request)}",
            "next_url": f"?{_query_string(request, cursor=page.next_cursor)}" if page and page.next_cursor else None,
            "ignored_words": search_service.ignored_words(form.cleaned_data["q"]) if page else 0,
        },
    )


def _for_template(result):
    session_url = reverse("sessions:detail", args=[result.campaign_id, result.session_id])
    reader_url = reverse("sessions:transcript", args=[result.campaign_id, result.session_id])
    return {
        "result": result,
        "session_url": session_url,
        "found_in": result.fields,  # named as the page says them: title, notes, summaries, speakers, transcript
        "places": [(place, _place_url(place, result, session_url, reader_url)) for place in result.places],
        "snippets": [(snippet, _snippet_url(snippet, session_url)) for snippet in result.snippets],
    }


def _place_url(place, result, session_url, reader_url):
    if place.field == "notes":
        return f"{session_url}#notes-title"
    if place.field == "summaries":  # without a kind: v1.0's own kinds, together (the Summaries section)
        return f"{session_url}#summary-{place.kind}" if place.kind else f"{session_url}#summaries"
    if place.field == "speakers":
        return f"{reader_url}?{urlencode({'speaker': place.speaker})}" if place.speaker else reader_url
    if place.field == "transcript":
        # Every word of the search marked, on the page of the line that has the most of them.
        return f"{reader_url}?{urlencode({'mark': ' '.join(result.words), 'first': 1})}"
    return session_url


def _snippet_url(snippet, session_url):
    return f"{session_url}#summary-{snippet.kind}" if snippet.kind else f"{session_url}#notes-title"
