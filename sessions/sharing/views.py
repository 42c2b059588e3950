"""Share links: the public pages a link opens, and the owner's pages that make, list,
preview and revoke links.

Public: `/share/<token>/` (and `/share/<token>`, as v1.0 wrote them) shows the session
with the summaries of the link's scope; `/share/<token>/transcript/` reads its transcript
when the scope includes it. No login, GET only, no CSRF token, and a layout of their own
(templates/share/base.html) that shows nothing of whoever is signed in: everybody holding
the link, its owner included, gets the same page. Nothing on them names the owner or any
internal id.

Every public response, its 404 included, carries `Referrer-Policy: no-referrer` (the
token never leaves in a Referer), `X-Robots-Tag: noindex` and `Cache-Control: private,
no-store` (share_page_headers): no CDN or shared cache keeps a copy, so revoking,
expiring and counting views are exact. Unknown, revoked, expired and used-up links all
get the same 404 page (templates/share/gone.html), after the same single request.

Views: opening a link counts a view (sessions.sharing.repository.open_share_link: one
conditional UpdateItem that also reads the link). The response then gives the visitor a
grant: a cookie signed with the secret key, bound to this link's hash and scoped to its
path, valid GRANT_MAX_AGE. With it, the visitor's further pages (a reload, the
transcript's pages, a find) read the link with one GetItem and count nothing; they still
die at once when the link is revoked or expires. Without it (another browser, cookies
off, a day later), a page counts as a new view, so a view limit cannot be passed by going
straight to the transcript's address.

Requests (pinned in tests/test_share_views.py): the link's one request, then
- the session page: one BatchGetItem (campaign, session and the scope's summaries, and
  for a characters-only link the speaker names, to take players' names out of them);
- a transcript page: one BatchGetItem (campaign, session, speaker names) and the S3
  GetObject of the normalized transcript (none when this process holds it).
A signed-in visitor costs nothing more: these pages never touch the web session.

Owner (login required; another user's session or link is a 404): `share:manage` lists the
session's links and makes new ones (the token is shown once, on the response to the
POST, and never again: only its hash is kept); `share:revoke` asks to confirm (GET),
then deletes a link and its pointer (POST); `share:preview` (and `share:preview_transcript`) render the very pages a new
recipient gets, without counting a view.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from campaigns_site.owners import sub
from campaigns_site.prefetch import reads
from campaigns_site.text_blocks import text_blocks
from sessions.core.lookups import session_or_404
from sessions.core.repository import SessionNotFound
from sessions.sharing import repository as share_links
from sessions.sharing.forms import ShareLinkForm
from sessions.sharing.items import MAX_LINKS_PER_SESSION, SCOPES, hash_token, is_well_formed, last_day_of
from sessions.sharing.lookups import link_to_preview_or_404, link_to_revoke_or_404, session_to_share_or_404
from sessions.sharing.names import names_shown_by_a_link, shared_speaker_names
from sessions.transcripts import reader
from sessions.transcripts import segments_json as transcript_json
from sessions.transcripts import storage as transcripts
from sessions.transcripts.reader_pages import (  # the owner's reader: same parameters and messages
    first_line,
    jump_to_time,
    reader_context,
    whole_number,
)

SHARE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "Cache-Control": "private, no-store",
}
GRANT_COOKIE = "share_grant"
GRANT_MAX_AGE = 24 * 60 * 60  # seconds: a day's reading on one view


def share_page_headers(view):
    """The headers of every share page, and its one 404 page.

    A 404 raised inside the view becomes templates/share/gone.html here (not the site's
    404, whose layout reads the visitor's web session), with the same headers as a page.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            response = render(request, "share/gone.html", status=404)
        for name, value in SHARE_HEADERS.items():
            response[name] = value
        return response

    return wrapped


# --- grants: a visitor who opened a link reads on without counting again ------------------------
def _grant_signer(token_hash):
    return signing.TimestampSigner(salt=f"sessions.sharing.views.grant.{token_hash}")


def _has_grant(request, token_hash):
    value = request.COOKIES.get(GRANT_COOKIE)
    if not value:
        return False
    try:
        _grant_signer(token_hash).unsign(value, max_age=GRANT_MAX_AGE)
    except signing.BadSignature:  # also expired, or another link's
        return False
    return True


def _give_grant(request, response, token, token_hash):
    response.set_cookie(
        GRANT_COOKIE,
        _grant_signer(token_hash).sign("1"),
        path=f"/share/{token}",  # this link's pages only (with or without the slash)
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def _link_for_visitor(request, token):
    """(link, counted): the live link the token names, or 404.

    With this link's grant: one GetItem, nothing counted; a revoked or expired link is
    dead all the same. Without: one counted open (open_share_link). A token that cannot be
    one is a 404 without any request."""
    if not is_well_formed(token):
        raise Http404
    token_hash = hash_token(token)
    if _has_grant(request, token_hash):
        link = share_links.get_share_link(token_hash=token_hash)
        if link is None or link.has_expired():
            raise Http404
        return link, False
    link = share_links.open_share_link(token=token)
    if link is None:
        raise Http404
    return link, True


# --- what a link shows ---------------------------------------------------------------------------
def _session_page(request, link, *, transcript_url, preview=False):
    shared = share_links.read_shared_session(link)
    if shared is None:
        raise Http404  # the session (or its campaign) is gone
    return render(
        request,
        "share/session.html",
        {
            "preview": preview,
            "campaign_name": shared.campaign.name,
            "session": shared.session,
            "scope": link.scope,
            "summaries": [
                # A characters-only link's summaries name speakers as its transcript does.
                {
                    "kind": summary.kind,
                    "label": summary.kind_label,
                    "text": shared.summary_text(summary),
                    "is_markdown": summary.is_markdown,  # v1.0's: rendered safely (campaigns_site.markdown_text)
                    "blocks": [] if summary.is_markdown else text_blocks(shared.summary_text(summary)),
                }
                for summary in shared.summaries
            ],
            "transcript_url": transcript_url if link.shows_transcript and shared.session.has_transcript else None,
        },
    )


def _transcript_page(request, link, *, back_url, preview=False):
    """The owner's reader (sessions/transcripts/reader_views.py), read-only, without the owner's links
    and without raw speaker labels."""
    if not link.shows_transcript:
        raise Http404
    shared = share_links.read_shared_transcript(link)
    if shared is None:
        raise Http404
    campaign, session, names = shared
    if not session.has_transcript:
        raise Http404
    data = transcripts.load_stored_segments(session)
    # Speakers go by their number in the transcript (`speaker=2`), not by their raw label:
    # a label may be somebody's handle, and the page shows only the names the owner gave.
    labels = transcript_json.read_segment_page(data, offset=0, limit=0).speakers
    names = shared_speaker_names(link, names, labels)
    speaker_number = whole_number(request.GET.get("speaker"))
    speaker = labels[speaker_number] if speaker_number is not None and 0 <= speaker_number < len(labels) else None
    marks = reader.mark_words(request.GET.get("mark"))
    filters = {
        "speaker": "" if speaker is None else str(speaker_number),
        "q": request.GET.get("q", "").strip(),
        "mark": " ".join(marks),
    }
    wanted_time = request.GET.get("t", "").strip()
    # The owner's `first` and `mark` work here too (nothing links here with them: search is the owner's).
    first, not_said = first_line(request, data, filters=filters, marks=marks, names=names, speaker=speaker)
    if first is not None:
        return first
    time_error = None
    if wanted_time:
        jump, time_error = jump_to_time(request, data, session, wanted_time, filters=filters, speaker=speaker)
        if jump is not None:
            return jump

    page = reader.read_transcript(
        data,
        names=names,
        page=whole_number(request.GET.get("page")) or 1,
        line=whole_number(request.GET.get("line")),
        speaker=speaker,
        query=filters["q"],
        marks=marks,
    )
    return render(
        request,
        "share/transcript.html",
        {
            "preview": preview,
            "campaign_name": campaign.name,
            "session": session,
            "back_url": back_url,
            # In the transcript's order: a speaker's number is its position. Names only, no labels.
            "speaker_options": [(str(number), name) for number, (_, name) in enumerate(page.speakers)],
            **reader_context(
                session, page, filters=filters, wanted_time=wanted_time, time_error=time_error, not_said=not_said
            ),
        },
    )


# --- public pages --------------------------------------------------------------------------------
def _visitor_page(request, token, page, **options):
    """`page(request, link, **options)` for the link the token names; a view counted by
    this request also gives the visitor the link's grant."""
    link, counted = _link_for_visitor(request, token)
    response = page(request, link, **options)
    if counted:
        _give_grant(request, response, token, link.token_hash)
    return response


@csrf_exempt  # GET only, and changes nothing a form could forge: any other method is a 405 with these headers
@share_page_headers
@require_GET
def shared_session(request, token):
    return _visitor_page(request, token, _session_page, transcript_url=reverse("share:transcript", args=[token]))


@csrf_exempt
@share_page_headers
@require_GET
def shared_transcript(request, token):
    return _visitor_page(request, token, _transcript_page, back_url=reverse("share:session", args=[token]))


# --- the owner's pages ---------------------------------------------------------------------------
@reads(share_links.session_to_share_keys)
@login_required
@never_cache  # the answer to a POST holds the new link's token
@require_http_methods(["GET", "POST"])
def manage(request, campaign_id, session_id):
    """The session's links, and the form that makes one. A made link is shown once, on the
    answer to the POST itself: its token is in no URL, no cookie and no item."""
    # The speaker names and the summaries come in the same BatchGetItem: the form says
    # which names each scope would show unless the link shows character names only.
    # A GET reads the links in its second BatchGetItem; a POST only when its form is refused.
    campaign, session, names, summaries, links = session_to_share_or_404(
        request, campaign_id, session_id, with_links=request.method == "GET"
    )
    shown = names_shown_by_a_link(session, names, summaries)
    form = ShareLinkForm(request.POST or None, initial={"characters_only": bool(shown)})
    if request.method == "POST" and form.is_valid():
        try:
            made = share_links.create_share_link(
                sub=sub(request),
                campaign_id=campaign_id,
                session_id=session_id,
                other_summary_kinds=session.other_summary_kinds,  # read above: the link copies them
                **form.share_link_fields(),
            )
        except share_links.TooManyShareLinks:
            form.add_error(None, _too_many())
        except SessionNotFound:
            raise Http404 from None  # deleted meanwhile: nothing was written
        else:
            return render(
                request,
                "sessions/share_created.html",
                {
                    "campaign": campaign,
                    "session": session,
                    "made": made.pointer,
                    "scope_label": SCOPES[made.pointer.scope],
                    "characters_only": bool(made.pointer.characters_only),
                    "last_day": last_day_of(made.pointer.expires),
                    "share_url": request.build_absolute_uri(reverse("share:session", args=[made.token])),
                },
            )
    if links is None:
        links = share_links.list_share_links_for_session(sub=sub(request), session_id=session_id)
    return render(
        request,
        "sessions/share_manage.html",
        {
            "campaign": campaign,
            "session": session,
            "links": links,
            "form": form,
            "at_cap": len(links) >= MAX_LINKS_PER_SESSION,
            "max_links": MAX_LINKS_PER_SESSION,
            # (scope, its label, the names it would show), for the scopes that show some.
            "names_by_scope": [
                (scope, label, shown.by_scope[scope]) for scope, label in SCOPES.items() if shown.by_scope.get(scope)
            ],
            "labels_shown": shown.unnamed,
        },
    )


def _too_many():
    return (
        f"This session has {MAX_LINKS_PER_SESSION} share links, the most it can have. "
        "Revoke one you no longer need, then make the new one."
    )


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request, campaign_id, session_id, token_hash):
    """GET: the page that asks to confirm (revoking cannot be undone). POST: delete the
    link, dead from the next request on. No read first: the delete's conditions refuse a
    link that is not the user's, on that session of that campaign (every id in the URL
    must name what is acted on). A refused delete then reads the session and the link, to
    tell a second click (already revoked) from a URL naming a link of another session,
    campaign or user (404)."""
    if request.method == "GET":
        return _confirm_revoke(request, campaign_id, session_id, token_hash)
    if share_links.revoke_share_link(
        sub=sub(request), campaign_id=campaign_id, session_id=session_id, token_hash=token_hash
    ):
        messages.success(request, "Link revoked. It no longer opens anything.")
    else:
        session_or_404(request, campaign_id, session_id)  # 404 unless the session is the user's
        if share_links.get_share_link(token_hash=token_hash) is not None:
            raise Http404  # a live link, but not this session's: the URL's ids must all match it
        messages.info(request, "That link was already revoked.")  # a second click, another tab
    return redirect("share:manage", campaign_id=campaign_id, session_id=session_id)


def _confirm_revoke(request, campaign_id, session_id, token_hash):
    """The link's label, date, scope and views, and a button that POSTs here: one
    BatchGetItem (share_links.read_link_to_revoke). A link already revoked (the back
    button, another tab) goes back to the list saying so, as a second POST does."""
    found = link_to_revoke_or_404(request, campaign_id, session_id, token_hash)
    if found.row is None:
        messages.info(request, "That link was already revoked.")
        return redirect("share:manage", campaign_id=campaign_id, session_id=session_id)
    return render(
        request,
        "sessions/share_revoke.html",
        {"campaign": found.campaign, "session": found.session, "link": found.row},
    )


@reads(share_links.preview_keys)
@share_page_headers
@login_required
@require_GET
def preview(request, campaign_id, session_id, token_hash):
    """The page a recipient opening the link now would get, without counting a view."""
    link = link_to_preview_or_404(request, campaign_id, session_id, token_hash)
    transcript_url = reverse("share:preview_transcript", args=[campaign_id, session_id, token_hash])
    return _session_page(request, link, transcript_url=transcript_url, preview=True)


@reads(share_links.preview_keys)
@share_page_headers
@login_required
@require_GET
def preview_transcript(request, campaign_id, session_id, token_hash):
    link = link_to_preview_or_404(request, campaign_id, session_id, token_hash)
    back_url = reverse("share:preview", args=[campaign_id, session_id, token_hash])
    return _transcript_page(request, link, back_url=back_url, preview=True)
