"""Text people type (campaigns_site/forms.py: OneLineField, MultiLineField). Every form that
stores a name, title, label, note or summary uses them: a control character (ESC, a C1
control, a line break in a one-line field, U+2028...) is refused with a message, so no
saved text holds one and a refused post changes nothing. Property tests (Hypothesis)
check each field, then each page that saves one."""

import pytest
from django import forms
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import accounts.forms
import accounts.password_forms
import accounts.profile_forms
import accounts.staff_views
import campaigns.forms
import campaigns_site.forms
import sessions.core.forms
import sessions.search.forms
import sessions.sharing.forms
import sessions.summaries.forms
import sessions.transcripts.speaker_forms
from accounts.forms import SignupForm
from accounts.profile_forms import DisplayNameForm
from accounts.profiles import get_profile
from campaigns.forms import CampaignForm
from campaigns.repository import get_campaign, list_campaigns_for_user
from campaigns_site.forms import MultiLineField, OneLineField, control_characters
from sessions.core.forms import PlaySessionForm
from sessions.core.repository import get_session
from sessions.sharing.forms import ShareLinkForm
from sessions.sharing.repository import list_share_links_for_session
from sessions.summaries import repository as summaries
from sessions.summaries.forms import SummaryEditForm
from sessions.transcripts.items import labels_fingerprint
from sessions.transcripts.repository import get_speaker_names
from sessions.transcripts.speaker_forms import SpeakerNamesForm
from tests.conftest import PASSWORD
from tests.web_clients import post

CONTROLS = [chr(code) for code in range(0x20)] + [chr(code) for code in range(0x7F, 0xA0)] + ["\u2028", "\u2029"]
# What people type, with control characters mixed in often.
typed = st.lists(st.one_of(st.characters(codec="utf-8"), st.sampled_from(CONTROLS)), max_size=40).map("".join)
# Mostly plain words, sometimes one control character: pages save some and refuse some.
posted = st.one_of(
    st.text(alphabet="Strahd's Tomb 🐉é-", min_size=1, max_size=20),
    st.tuples(
        st.text(alphabet="Mira ", min_size=1, max_size=8),
        st.sampled_from(CONTROLS),
        st.text(alphabet="Vex ", max_size=8),
    ).map("".join),
    typed,
)

# A text field: what it lets in (kept or tidied away) and what may be stored.
ONE_LINE = ("", "")
SPEAKER_NAME = ("\t\n\r", "")  # tabs and line breaks become one space
MULTI_LINE = ("\t\n\r", "\t\n")  # "\r\n" and "\r" become "\n"


def text_fields():
    speaker_form = SpeakerNamesForm(labels=["SPEAKER_00"])
    return [
        pytest.param(CampaignForm.base_fields["name"], ONE_LINE, id="campaign name"),
        pytest.param(CampaignForm.base_fields["game_system"], ONE_LINE, id="game system"),
        pytest.param(CampaignForm.base_fields["description"], MULTI_LINE, id="campaign description"),
        pytest.param(PlaySessionForm.base_fields["title"], ONE_LINE, id="session title"),
        pytest.param(PlaySessionForm.base_fields["notes"], MULTI_LINE, id="session notes"),
        pytest.param(SignupForm.base_fields["display_name"], ONE_LINE, id="sign-up display name"),
        pytest.param(DisplayNameForm.base_fields["display_name"], ONE_LINE, id="profile display name"),
        pytest.param(ShareLinkForm.base_fields["label"], ONE_LINE, id="share link label"),
        pytest.param(speaker_form.fields["player_0"], SPEAKER_NAME, id="speaker player"),
        pytest.param(speaker_form.fields["character_0"], SPEAKER_NAME, id="speaker character"),
        pytest.param(SummaryEditForm.base_fields["text"], MULTI_LINE, id="summary hand edit"),
    ]


@pytest.mark.parametrize(("field", "rule"), text_fields())
@settings(max_examples=300, deadline=None, database=None)
@given(text=typed)
def test_a_text_field_never_lets_a_control_character_through(field, rule, text):
    allowed_in, allowed_stored = rule
    refused = control_characters(text.strip() if field.strip else text, allowed=allowed_in)
    try:
        value = field.clean(text)
    except forms.ValidationError as error:
        codes = {each.code for each in error.error_list}
        if refused:
            assert codes == {"control_characters"}
            assert error.messages[0].startswith("Remove the control characters from ")
            assert error.messages[0].endswith(f"(found {', '.join(f'U+{ord(c):04X}' for c in refused)}).")
        else:
            assert codes <= {"required", "max_length"}
        return
    assert not refused
    assert control_characters(value, allowed=allowed_stored) == []


@pytest.mark.parametrize(
    ("field", "typed_text", "stored"),
    [
        (OneLineField(), "  Curse of\u00a0Strahd 🐉  ", "Curse of\u00a0Strahd 🐉"),
        (MultiLineField(), "One\r\ntwo\rthree\n\tindented", "One\ntwo\nthree\n\tindented"),
        (sessions.transcripts.speaker_forms.SpeakerNameField(), " Mira\n the\tWise ", "Mira the Wise"),
    ],
)
def test_what_is_kept(field, typed_text, stored):
    assert field.clean(typed_text) == stored


def test_the_message_names_the_field_and_the_characters():
    with pytest.raises(forms.ValidationError) as error:
        PlaySessionForm.base_fields["title"].clean("Into\x1b[31m the Mists\x07")
    assert error.value.messages == ["Remove the control characters from the title (found U+0007, U+001B)."]
    with pytest.raises(forms.ValidationError) as error:
        ShareLinkForm.base_fields["label"].clean("For\u2028the players")
    assert error.value.messages == ["Remove the control characters from the label (found U+2028)."]


# Fields that take text but store none of it, or are not free text: each with its reason.
NOT_STORED_TEXT = {
    "password",
    "password1",
    "password2",
    "old_password",
    "new_password1",
    "new_password2",  # never stored or shown
    "code",  # a confirmation code, sent to Cognito only
    "login",  # an email address, checked by Cognito
    "username",  # allauth's, dropped by the sign-up form: ACCOUNT_SIGNUP_FIELDS asks for no username
    "q",  # a search, never stored (shown escaped)
    "next",  # a path the theme form checks
    "speakers",  # the hidden fingerprint, compared with the labels
}
FORM_MODULES = [
    accounts.forms,
    accounts.password_forms,
    accounts.profile_forms,
    campaigns.forms,
    campaigns_site.forms,
    sessions.core.forms,
    sessions.search.forms,
    sessions.sharing.forms,
    sessions.transcripts.speaker_forms,
    sessions.summaries.forms,
]


def test_every_form_of_ours_takes_text_through_the_shared_fields():
    checked = 0
    for module in FORM_MODULES:
        for form in vars(module).values():
            if not (isinstance(form, type) and issubclass(form, forms.BaseForm) and form.__module__ == module.__name__):
                continue
            for name, field in form.base_fields.items():
                if (
                    type(field) is forms.CharField
                    or isinstance(field, forms.CharField)
                    and not isinstance(field, (OneLineField, forms.EmailField))
                ):
                    assert name in NOT_STORED_TEXT, f"{form.__name__}.{name} is a plain CharField"
                checked += isinstance(field, OneLineField)
    assert checked >= 10
    speaker_form = SpeakerNamesForm(labels=["SPEAKER_00"])
    assert isinstance(speaker_form.fields["player_0"], OneLineField)


# Forms whose __init__ needs arguments (some add their fields there).
FORM_ARGUMENTS = {
    "ChangePasswordForm": {"user": None},
    "DeleteAccountForm": {"email": "ada@example.com"},
    "MoveSessionForm": {"campaigns": []},
    "NewPasswordForm": {"user": None},
    "SearchForm": {"campaigns": {}},
    "SpeakerNamesForm": {"labels": ["SPEAKER_00"]},
}


def every_form_field():
    """(form name, field name, field) of every form of ours, fields added by __init__ included."""
    for module in [*FORM_MODULES, accounts.staff_views]:
        for form in vars(module).values():
            if isinstance(form, type) and issubclass(form, forms.BaseForm) and form.__module__ == module.__name__:
                instance = form(**FORM_ARGUMENTS.get(form.__name__, {}))
                for name, field in instance.fields.items():
                    yield form.__name__, name, field


def too_long(field):
    if isinstance(field, forms.EmailField):  # a well-formed address, past the limit
        return "ada@" + ".".join(["b" * 60] * (field.max_length // 61 + 1)) + ".com"
    return "x" * (field.max_length + 1)


def limit_messages(field):
    """What the field says of a value past each of its limits (length, lowest, highest)."""
    values = []
    if getattr(field, "max_length", None) is not None:
        values.append(too_long(field))
    if getattr(field, "min_value", None) is not None:
        values.append(str(field.min_value - 1))
    if getattr(field, "max_value", None) is not None:
        values.append(str(field.max_value + 1))
    for value in values:
        with pytest.raises(forms.ValidationError) as error:
            field.clean(value)
        yield value, error.value.messages


def test_every_limit_of_every_form_is_said_in_our_words(aws):
    # Issue 11: a 5,000-character campaign name got Django's "Ensure this value has at
    # most 120 characters (it has 5000)."
    checked = 0
    for form, name, field in every_form_field():
        for value, messages in limit_messages(field):
            checked += 1
            assert not any(message.startswith("Ensure this value") for message in messages), (form, name, messages)
            if getattr(field, "max_length", None) is not None and len(value) > field.max_length:
                assert any(str(field.max_length) in message.replace(",", "") for message in messages), (form, name)
    assert checked >= 20


def test_a_length_limit_names_the_field_and_both_lengths():
    with pytest.raises(forms.ValidationError) as error:
        CampaignForm.base_fields["name"].clean("x" * 5000)
    assert error.value.messages == ["Keep the name to 120 characters (this one has 5,000)."]
    with pytest.raises(forms.ValidationError) as error:
        CampaignForm.base_fields["description"].clean("x" * 2001)
    assert error.value.messages == ["Keep the description to 2,000 characters (this one has 2,001)."]
    with pytest.raises(forms.ValidationError) as error:
        ShareLinkForm.base_fields["label"].clean("x" * 500)
    assert error.value.messages[0].startswith("Keep the label to ")


# --- the pages that save text: a refused post changes nothing ------------------------------

pages = settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def check_saved_or_refused(response, text, *, before, after, saved, rule=ONE_LINE, strip=True):
    """A 302: the text stored now (`saved`) holds no control character. Otherwise nothing
    changed (`before` == `after`), and the page says which characters to remove."""
    allowed_in, allowed_stored = rule
    refused = control_characters(text.strip() if strip else text, allowed=allowed_in)
    if response.status_code == 302:
        assert not refused
        assert control_characters(saved, allowed=allowed_stored) == []
        return
    assert response.status_code == 200
    assert after == before
    if refused:
        assert "Remove the control characters from " in response.content.decode()


def session_url(session, path=""):
    return f"/campaigns/{session.campaign_id}/sessions/{session.session_id}/{path}"


@pages
@given(text=posted, name=st.sampled_from(["name", "game_system", "description"]))
def test_campaign_edit(owner, campaign, text, name):
    before = get_campaign(sub=owner.sub, campaign_id=campaign.campaign_id)
    data = {
        "name": before.name,
        "game_system": before.game_system or "",
        "description": before.description or "",
        "version": before.version,
        name: text,
    }
    response = post(owner, f"/campaigns/{campaign.campaign_id}/edit/", data)
    after = get_campaign(sub=owner.sub, campaign_id=campaign.campaign_id)
    check_saved_or_refused(
        response,
        text,
        before=(before.version, getattr(before, name)),
        after=(after.version, getattr(after, name)),
        saved=getattr(after, name) or "",
        rule=MULTI_LINE if name == "description" else ONE_LINE,
    )


@pages
@given(text=posted)
def test_campaign_create(owner, text):
    def names():
        return sorted(campaign.name for campaign in list_campaigns_for_user(sub=owner.sub).items)

    before = names()
    response = post(owner, "/campaigns/new/", {"name": text, "game_system": "", "description": ""})
    after = names()
    if response.status_code == 302:
        assert len(after) == len(before) + 1
    check_saved_or_refused(response, text, before=before, after=after, saved="".join(after))


@pages
@given(text=posted, name=st.sampled_from(["title", "notes"]))
def test_session_edit(owner, session, text, name):
    def stored():
        item = get_session(sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id)
        return item, (item.version, getattr(item, name) or "")

    before, before_state = stored()
    data = {
        "title": before.title,
        "number": "" if before.number is None else before.number,
        "played_on": before.played_on or "",
        "notes": before.notes or "",
        "version": before.version,
        name: text,
    }
    response = post(owner, session_url(session, "edit/"), data)
    after, after_state = stored()
    rule = MULTI_LINE if name == "notes" else ONE_LINE
    check_saved_or_refused(response, text, before=before_state, after=after_state, saved=after_state[1], rule=rule)


@pages
@given(text=posted)
def test_profile_display_name(owner, text):
    before = get_profile(sub=owner.sub).display_name
    response = post(owner, "/accounts/profile/", {"display_name": text})
    after = get_profile(sub=owner.sub).display_name
    check_saved_or_refused(response, text, before=before, after=after, saved=after)


@pages
@given(text=posted)
def test_share_link_label(owner, session, text):
    def labels():
        made = list_share_links_for_session(sub=owner.sub, session_id=session.session_id)
        return sorted(link.label or "" for link in made)

    before = labels()
    response = post(
        owner, session_url(session, "share/"), {"scope": "recap", "expires_on": "", "view_limit": "", "label": text}
    )
    after = labels()
    if len(after) == len(before) + 1:  # made: the page shows the link once (200)
        assert response.status_code == 200
        assert not control_characters(text.strip())
        assert all(control_characters(label) == [] for label in after)
        return
    check_saved_or_refused(response, text, before=before, after=after, saved="")


@pages
@given(text=posted, name=st.sampled_from(["player_0", "character_0"]))
def test_speaker_names(owner, campaign, transcribed, text, name):
    labels = transcribed.transcript_speakers

    def stored():
        item = get_speaker_names(sub=owner.sub, campaign_id=campaign.campaign_id)
        return (0, {}) if item is None else (item.version, item.as_dict())

    before = stored()
    data = {"version": before[0], "speakers": labels_fingerprint(labels), name: text}
    response = post(owner, session_url(transcribed, "transcript/speakers/"), data)
    after = stored()
    saved = "".join(entry["player"] + entry["character"] for entry in after[1].values())
    check_saved_or_refused(response, text, before=before, after=after, saved=saved, rule=SPEAKER_NAME)


@pages
@given(text=posted)
def test_summary_hand_edit(owner, transcribed, text):
    def stored():
        return summaries.get_summary(
            sub=owner.sub, campaign_id=transcribed.campaign_id, session_id=transcribed.session_id, kind="recap"
        )

    if stored() is None:
        asked = post(owner, session_url(transcribed, "summaries/"), {"kinds": ["recap"], "length": "brief"})
        assert asked.status_code == 302
    before = stored()
    response = post(owner, session_url(transcribed, "summaries/recap/edit/"), {"text": text, "version": before.version})
    after = stored()
    check_saved_or_refused(
        response,
        text,
        before=(before.version, before.text),
        after=(after.version, after.text),
        saved=after.text,
        rule=MULTI_LINE,
        strip=False,
    )


def test_sign_up_refuses_a_display_name_with_control_characters_before_asking_cognito(aws, db, aws_calls):
    with aws_calls() as calls:
        response = Client().post(
            "/accounts/signup/",
            {
                "email": "ada@example.com",
                "display_name": "Ada\x1b[2J",
                "password1": PASSWORD,
            },
        )
    assert response.status_code == 200
    assert "Remove the control characters from the display name (found U+001B)." in response.content.decode()
    assert "cognito-idp.SignUp" not in calls.operations()
