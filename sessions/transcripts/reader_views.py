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

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sessions.transcripts import reader
from sessions.transcripts.lookups import session_and_names_or_404
from sessions.transcripts.reader_pages import first_line, jump_to_time, reader_context, whole_number
from sessions.transcripts.storage import load_stored_segments


@login_required
@require_GET
def transcript_read(request, campaign_id, session_id):
    campaign, session, speaker_names = session_and_names_or_404(request, campaign_id, session_id)
    if not session.has_transcript:
        # Friendlier than a 404: the session is there, and the page says how to add one.
        return render(request, "sessions/reader.html", {"campaign": campaign, "session": session})

    data = load_stored_segments(session)
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
        page=whole_number(request.GET.get("page")) or 1,
        line=whole_number(request.GET.get("line")),
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
