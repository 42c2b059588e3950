"""The reader page's parts that the owner's reader (reader_views.py) and a share link's
transcript (sessions/sharing/views.py) both use: the same query parameters, the same
jumps and the same messages. The logic of what a page shows is in reader.py.
"""

from urllib.parse import urlencode

from django.shortcuts import redirect

from sessions.core.segments import format_time
from sessions.transcripts import reader


def whole_number(text):
    """An int from a query parameter, or None for anything else (the reader clamps)."""
    try:
        return int(text)
    except (TypeError, ValueError):  # also digit strings too long for int()
        return None


def _url(filters, **params):
    """A query string ("?...") of the filters in force plus params, leaving out empty ones."""
    query = urlencode({name: value for name, value in {**filters, **params}.items() if value not in (None, "")})
    return f"?{query}" if query else "?"


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
        "duration": format_time(session.transcript_duration),
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
        f"No line {where}starts at {format_time(seconds)} or later: "
        f"the transcript ends at {format_time(session.transcript_duration)}."
    )
