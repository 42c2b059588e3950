"""The offline summarizer: every kind and length on a realistic session, and odd input."""

import re

import pytest

from sessions.core.kinds import KINDS, LENGTHS, STORY_SO_FAR
from sessions.core.segments import Segment
from sessions.summaries.summarizers import summarize_story_so_far
from sessions.summaries.summarizers.base import SessionSummary, SummaryInputError, SummaryRequest
from sessions.summaries.summarizers.offline import OfflineSummarizer
from tests.summary_samples import GERMAN, SESSION

NAMES = {
    "SPEAKER_00": "GM (Dana)",
    "SPEAKER_01": "Mira (Ana)",
    "SPEAKER_02": "Sable (Ben)",
    "SPEAKER_03": "Thorin (Carl)",
}
JAPANESE = [
    ("SPEAKER_00", "おかえりなさい。皆さんは霧の森の古い神殿の前に立っています。"),
    ("SPEAKER_01", "松明に火をつけて、慎重に中へ入ります。"),
    ("SPEAKER_00", "中では巫女が祭壇の前でひざまずいています。彼女は誰に送られたのかと尋ねます。"),
    ("SPEAKER_02", "私たちは都から来た巡礼者だと言います。"),
    ("SPEAKER_00", "彼女は信じず、死者が目覚めつつあると警告します。"),
    ("SPEAKER_01", "誰が死者を目覚めさせているのでしょうか？調べなければなりません。"),
    ("SPEAKER_00", "階段が崩れ、皆さんは地下墓所に閉じ込められました。"),
]


def segments(lines=SESSION, *, seconds_apart=40.0):
    return [
        Segment(start=i * seconds_apart, end=i * seconds_apart + 35, speaker=speaker, text=text)
        for i, (speaker, text) in enumerate(lines)
    ]


def summarize(kind, length="standard", *, lines=SESSION, names=NAMES, **extra):
    request = SummaryRequest(
        kind=kind,
        length=length,
        segments=extra.pop("segments", None) or segments(lines),
        speaker_names=names,
        session_title="Session 4",
        campaign_name="The Raven Crown",
        **extra,
    )
    return OfflineSummarizer().summarize(request)


def bullets(text):
    return [line for line in text.splitlines() if line.startswith("- ")]


def stamps(text):
    return re.findall(r"\[(\d\d:\d\d:\d\d)\]", text)


@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_and_length_gives_text_with_the_campaigns_speaker_names(kind, length):
    result = summarize(kind, length)

    assert result.text.strip()
    assert "SPEAKER_" not in result.text
    assert (result.kind, result.length, result.provider, result.model) == (kind, length, "offline", "extractive-1")
    assert result.estimated_cost_usd == 0
    assert result.tokens_estimated is True
    assert result.input_tokens > 0 and result.output_tokens > 0


def test_speakers_appear_by_character_name_not_player_or_label():
    text = summarize("recap", "detailed").text

    assert "Mira: " in text and "GM: " in text
    assert "(Ana)" not in text and "SPEAKER_01" not in text


def test_without_names_the_raw_labels_stand_in():
    text = summarize("key_events", names={}).text

    assert "SPEAKER_00: " in text


@pytest.mark.parametrize("kind", ["recap", "key_events", "npcs", "locations", "loot", "open_threads"])
def test_longer_lengths_give_at_least_as_many_lines(kind):
    counts = [len(bullets(summarize(kind, length).text)) for length in ("brief", "standard", "detailed")]

    assert counts == sorted(counts)
    assert counts[0] >= 1


def test_recap_opens_with_the_campaign_and_follows_the_story_in_order():
    text = summarize("recap").text
    lines = bullets(text)

    assert text.splitlines()[0] == "Previously on The Raven Crown…"
    assert len(lines) == 8
    positions = [
        next(i for i, (_, said) in enumerate(SESSION) if line.split(": ", 1)[1][:30] in said) for line in lines
    ]
    assert positions == sorted(positions)
    assert positions[0] < len(SESSION) / 4 and positions[-1] > len(SESSION) * 3 / 4  # the whole evening


def test_recap_leaves_out_table_talk():
    text = summarize("recap", "detailed").text

    assert "pizza" not in text and "Perception" not in text


def test_key_events_are_stamped_and_in_time_order():
    text = summarize("key_events").text

    assert len(stamps(text)) == len(bullets(text)) == 10
    assert stamps(text) == sorted(stamps(text))
    assert "ambushed" in text and "collapse" in text


def test_npcs_are_named_people_not_the_players_characters_or_places():
    text = summarize("npcs").text

    assert [line.split(" (")[0] for line in bullets(text)][:3] == [
        "- Lord Varis",
        "- Sister Ilse",
        "- Captain Elra Stone",
    ]
    for not_an_npc in ("Mira", "Sable", "Thorin", "Dana", "Sunken Temple", "Phandalin"):
        assert f"- {not_an_npc}" not in text
    assert "Lord Varis (5 mentions)" in text  # "Varis" alone counts for the titled name


def test_locations_are_places_as_the_table_names_them():
    text = summarize("locations").text
    names = [line[2:].split(" (")[0] for line in bullets(text)]

    assert {"The Sunken Temple", "Greymoor Keep", "The Greywood Forest", "Phandalin"} <= set(names)
    assert not {"Lord Varis", "Sister Ilse", "Hold", "The Hold"} & set(names)


def test_detailed_names_say_when_they_first_came_up():
    text = summarize("npcs", "detailed").text

    assert "- Lord Varis (5 mentions, first at 00:04:00):" in text


def test_loot_lists_coins_and_items():
    text = summarize("loot").text

    assert "35 gold pieces" in text and "iron key" in text
    assert "pizza" not in text


def test_open_threads_are_questions_and_plans_not_table_talk():
    text = summarize("open_threads").text

    assert "find out why goblins" in text
    assert "find Captain Elra Stone" in text
    assert "same time next week" not in text
    assert "welcome back" not in text


def test_the_same_input_gives_the_same_summary():
    first = [summarize(kind).text for kind in KINDS]
    again = [summarize(kind).text for kind in KINDS]

    assert first == again


def test_token_counts_are_word_estimates():
    result = summarize("recap")
    words = sum(len(f"{NAMES[s].split(' (')[0]}: {t}".split()) for s, t in SESSION)

    assert abs(result.input_tokens - words * 1.3) < words * 0.2


# --- Odd input --------------------------------------------------------------------------------


def test_no_transcript_is_a_clear_input_error():
    with pytest.raises(SummaryInputError, match="no transcript"):
        OfflineSummarizer().summarize(SummaryRequest(kind="recap", segments=[]))


def test_a_transcript_without_text_is_a_clear_input_error():
    blank = [Segment(start=0.0, end=1.0, speaker="SPEAKER_00", text="   ")]

    with pytest.raises(SummaryInputError, match="no spoken text"):
        OfflineSummarizer().summarize(SummaryRequest(kind="recap", segments=blank))


def test_a_couple_of_words_are_too_short_to_summarize():
    with pytest.raises(SummaryInputError, match="too short"):
        summarize("recap", lines=[("SPEAKER_00", "Hello there.")])


@pytest.mark.parametrize("kind", KINDS)
def test_three_lines_still_give_a_sensible_result(kind):
    result = summarize(kind, lines=SESSION[:3])

    assert result.text.strip()
    if kind == "recap":
        assert len(bullets(result.text)) == 4  # every sentence of the three lines
    if kind in ("npcs", "loot", "open_threads"):
        assert result.text.startswith("No ")  # says so, rather than inventing


@pytest.mark.parametrize("kind", KINDS)
def test_a_single_speaker_is_fine(kind):
    monologue = [("SPEAKER_00", text) for _, text in SESSION]

    result = summarize(kind, lines=monologue, names={"SPEAKER_00": "Dana"})

    assert result.text.strip()
    assert "SPEAKER_" not in result.text


def test_a_single_speakers_character_names_are_not_excluded_as_npcs():
    monologue = [("SPEAKER_00", text) for _, text in SESSION]

    text = summarize("npcs", lines=monologue, names={"SPEAKER_00": "Dana"}).text

    assert "- Lord Varis" in text


def test_a_plain_text_transcript_without_times_or_speakers():
    plain = [Segment(start=None, end=None, speaker=None, text=text) for _, text in SESSION]

    for kind in KINDS:
        text = summarize(kind, segments=plain).text
        assert "None" not in text and "[" not in text
        assert text.strip()


@pytest.mark.parametrize("lines", [GERMAN, JAPANESE], ids=["german", "japanese"])
@pytest.mark.parametrize("kind", ["recap", "key_events", "open_threads"])
def test_other_languages_get_recaps_events_and_threads(lines, kind):
    text = summarize(kind, lines=lines).text

    assert text.strip()
    assert "SPEAKER_" not in text
    if kind == "recap":
        assert lines[-1][1][:10] in text  # the cliffhanger, in the transcript's own words
    if kind == "open_threads":
        assert ("Wer weckt die Toten?" if lines is GERMAN else "誰が死者を目覚めさせているのでしょうか？") in text


def test_japanese_is_split_into_sentences_at_its_own_full_stops():
    text = summarize("recap", "detailed", lines=JAPANESE).text

    assert "- GM: おかえりなさい。\n" in text


@pytest.mark.parametrize("lines", [GERMAN, JAPANESE], ids=["german", "japanese"])
@pytest.mark.parametrize("kind", ["npcs", "locations", "loot"])
def test_other_languages_get_a_clear_message_for_english_only_kinds(lines, kind):
    with pytest.raises(SummaryInputError, match="only in English transcripts"):
        summarize(kind, lines=lines)


def test_a_long_session_is_summarized_with_the_same_number_of_lines():
    # A four-hour evening's worth of segments: the sample, replayed with new names each round.
    rounds = []
    for number in range(190):
        rounds.extend((speaker, text.replace("Varis", f"Varis{number % 7}")) for speaker, text in SESSION)
    long = segments(rounds, seconds_apart=2.6)

    result = summarize("recap", segments=long)
    events = summarize("key_events", "detailed", segments=long)

    assert len(long) == 5700
    assert len(bullets(result.text)) == 8
    assert len(bullets(events.text)) == 20
    assert stamps(events.text) == sorted(stamps(events.text))


def test_an_unknown_kind_or_length_is_a_programming_error():
    with pytest.raises(ValueError, match="kind"):
        SummaryRequest(kind="poem", segments=segments())
    with pytest.raises(ValueError, match="length"):
        SummaryRequest(kind="recap", length="epic", segments=segments())


# --- The story so far ----------------------------------------------------------------------


def recaps():
    first = summarize("recap", lines=SESSION[:15]).text
    second = summarize("recap", lines=SESSION[15:]).text
    return [SessionSummary("Session 1: The road", first), ("Session 2: The temple", second)]


def test_story_so_far_follows_the_sessions_in_order():
    result = summarize_story_so_far(
        session_summaries=recaps(), campaign_name="The Raven Crown", length="standard", summarizer=OfflineSummarizer()
    )
    lines = result.text.splitlines()

    assert lines[0] == "The story so far in The Raven Crown…"
    assert lines.index("Session 1: The road") < lines.index("Session 2: The temple")
    assert len(bullets(result.text)) == 10
    assert "Previously on" not in result.text  # the recaps' openers are not story
    assert (result.kind, result.provider) == (STORY_SO_FAR, "offline")


def test_story_so_far_uses_the_configured_provider_by_default(settings):
    settings.SUMMARY_PROVIDER = "offline"

    result = summarize_story_so_far(session_summaries=recaps(), campaign_name="The Raven Crown", length="brief")

    assert result.provider == "offline"
    assert len(bullets(result.text)) == 5


def test_story_so_far_with_more_sessions_than_lines_groups_neighbours():
    many = [(f"Session {n}", f"The party fought monster number {n} and won a great battle.") for n in range(1, 13)]

    result = summarize_story_so_far(
        session_summaries=many, campaign_name="Long", length="brief", summarizer=OfflineSummarizer()
    )

    assert len(bullets(result.text)) == 5
    assert "Session 1 to Session 2" in result.text or "Session 1 to Session 3" in result.text


def test_story_so_far_without_summaries_is_a_clear_input_error():
    with pytest.raises(SummaryInputError, match="summarize a session first"):
        summarize_story_so_far(
            session_summaries=[("Session 1", ""), ("Session 2", "  ")],
            campaign_name="X",
            summarizer=OfflineSummarizer(),
        )
