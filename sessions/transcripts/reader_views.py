"""The transcript reader: /campaigns/<cid>/sessions/<sid>/transcript/.

One page of a session's transcript, with its speakers' names applied, found by the query
string: `page` (from 1), `line` (0-based; links to a line are `?line=n#line-n`), `t` (a
time to jump to), `speaker` (a raw label), `q` (find text: a filter) and `mark` (words to
mark where they start a word: not a filter). `first=1` goes to the first line that holds
the find text, or with `mark` (a search result's link) to the first line with the most of
its words, on the plain page around it: `?mark=…&line=n#line-n`, the line highlighted and
the words marked. Every form on the page is a GET form, so the page works without
JavaScript and every view of it has a URL.

What a page costs after the sign-in: one BatchGetItem (campaign, session and the
campaign's speaker names) and at most one S3 GetObject (none when this process holds the
transcript already). Pinned in tests/test_reader_view.py. The logic lives in
sessions/transcripts/reader.py; this module only reads the request and renders.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from campaigns_site.lazy import lazy_import

# Loaded on first use (see campaigns_site.lazy): the repositories bring PynamoDB and
# botocore, and the reader's patterns and classes would slow every cold start.
repository = lazy_import("sessions.core.repository")
transcripts = lazy_import("sessions.transcripts.services")
reader = lazy_import("sessions.transcripts.reader")


def _sub(request):
    return request.user.pk  # the Cognito sub (accounts.models.User)


def get_session_and_names_for_user(request, campaign_id, session_id):
    """(campaign, session, SpeakerNames item or None), or 404 when the session or its
    campaign is not the user's: one BatchGetItem. (The speakers page uses it too.)"""
    campaign, session, names = repository.get_session_with_campaign_and_speaker_names(
        sub=_sub(request), campaign_id=campaign_id, session_id=session_id
    )
    if session is None:
        raise Http404  # no detail: the 404 page must not tell whose or what it was
    return campaign, session, names


def _whole_number(text):
    """An int from a query parameter, or None for anything else (the reader clamps)."""
    try:
        return int(text)
    except (TypeError, ValueError):  # also digit strings too long for int()
        return None


def _url(filters, **params):
    """A query string ("?...") of the filters in force plus params, leaving out empty ones."""
    query = urlencode({name: value for name, value in {**filters, **params}.items() if value not in (None, "")})
    return f"?{query}" if query else "?"


@login_required
@require_GET
def transcript_read(request, campaign_id, session_id):
    campaign, session, speaker_names = get_session_and_names_for_user(request, campaign_id, session_id)
    if not session.has_transcript:
        # Friendlier than a 404: the session is there, and the page says how to add one.
        return render(request, "sessions/reader.html", {"campaign": campaign, "session": session})

    data = transcripts.load_stored_segments(session)
    names = speaker_names.as_dict() if speaker_names else {}
    marks = reader.mark_words(request.GET.get("mark"))
    filters = {
        "speaker": request.GET.get("speaker", ""),
        "q": request.GET.get("q", "").strip(),
        "mark": " ".join(marks),
    }
    wanted_time = request.GET.get("t", "").strip()
    first, not_said = first_line(request, data, filters=filters, marks=marks, names=names, speaker=filters["speaker"])
    if first is not None:
        return first
    time_error = None
    if wanted_time:
        jump, time_error = jump_to_time(
            request, data, session, wanted_time, filters=filters, speaker=filters["speaker"]
        )
        if jump is not None:
            return jump

    page = reader.read_transcript(
        data,
        names=names,
        page=_whole_number(request.GET.get("page")) or 1,
        line=_whole_number(request.GET.get("line")),
        speaker=filters["speaker"],
        query=filters["q"],
        marks=marks,
    )
    return render(
        request,
        "sessions/reader.html",
        {
            "campaign": campaign,
            "session": session,
            # The owner picks speakers by raw label, and sees it beside the name it was given.
            "speaker_options": [
                (label, name if name == label else f"{name} · {label}") for label, name in page.speakers
            ],
            **reader_context(
                session, page, filters=filters, wanted_time=wanted_time, time_error=time_error, not_said=not_said
            ),
        },
    )


def first_line(request, data, *, filters, marks, names, speaker):
    """`first=1` (a search result's link): (a redirect to the line it asks for, None), or
    (None, whether the marked words are said on no line). With `mark`: the first line with
    the most of its words, on the plain page around it (the words marked, the find left as
    it was); with a find (`q`) alone: the first line that holds it, among the find's lines.
    None, False when `first` is not asked for (or a time is, which goes first)."""
    if not request.GET.get("first") or request.GET.get("t", "").strip():
        return None, False
    if marks and not filters["q"]:
        number = reader.first_line_with_words(data, marks, names=names, speaker=speaker)
    elif filters["q"]:
        number = reader.first_match(data, filters["q"], speaker=speaker)
    else:
        return None, False
    if number is None:
        return None, bool(marks and not filters["q"])
    # As a jump to a time does: the address ends in #line-n, and the browser scrolls there itself.
    return redirect(f"{request.path}{_url(filters, line=number)}#line-{number}"), False


def reader_context(session, page, *, filters, wanted_time, time_error, not_said=False):
    """The context templates/sessions/_transcript_reader.html needs (besides speaker_options),
    for the owner's reader and a share link's transcript alike. filters: speaker, q and mark,
    as the address has them. not_said: no line says the marked words (first_line)."""
    return {
        "reader": page,
        "not_said": not_said,
        # Each marked word as a find of its own, and the page without the marks.
        "mark_finds": [(word, _url({"speaker": filters["speaker"]}, q=word)) for word in page.marks],
        "unmarked_url": _unmarked_url(filters, page),
        "duration": reader.format_time(session.transcript_duration),
        "duration_datetime": reader.duration_datetime(session.transcript_duration),
        "filters": filters,
        "wanted_time": wanted_time,
        "time_error": time_error,
        "first_url": _url(filters),
        "previous_url": _url(filters, page=page.page - 1) if page.has_previous else None,
        "next_url": _url(filters, page=page.page + 1) if page.has_next else None,
        "last_url": _url(filters, page=page.page_count),
    }


def _unmarked_url(filters, page):
    """This page without the marks: the same line (or page), the same filters."""
    if page.focus_line is not None:
        return f"{_url({**filters, 'mark': ''}, line=page.focus_line)}#line-{page.focus_line}"
    return _url({**filters, "mark": ""}, page=page.page if page.page > 1 else None)


def jump_to_time(request, data, session, wanted_time, *, filters, speaker):
    """(a redirect to the first line the filters show at or after the time typed, None), or
    (None, why there is none) to show by the form."""
    try:
        seconds = reader.parse_time(wanted_time)
    except ValueError as error:
        return None, str(error)
    number = reader.line_at(data, seconds, speaker=speaker, query=filters["q"])
    if number is None:
        return None, _nothing_after(seconds, session, filtered=bool(speaker or filters["q"]))
    # A redirect, so the address ends in #line-n: the browser scrolls there itself.
    return redirect(f"{request.path}{_url(filters, line=number)}#line-{number}"), None


def _nothing_after(seconds, session, *, filtered):
    if session.transcript_duration is None:
        return "This transcript has no times to jump to."
    where = "of the lines shown " if filtered else ""
    return (
        f"No line {where}starts at {reader.format_time(seconds)} or later: "
        f"the transcript ends at {reader.format_time(session.transcript_duration)}."
    )
