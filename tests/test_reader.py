"""The reader's logic (sessions/transcripts/reader.py): pages, line links, speaker filter, find, jump
to a time, speaker names. Pure functions of the stored bytes: no AWS."""

import pytest

from sessions.core.segments import Segment, format_time
from sessions.core.text import MAX_WORDS, fold, query_words
from sessions.transcripts import reader
from sessions.transcripts import segments_json as transcript_json
from sessions.transcripts.reader import PAGE_SIZE, line_at, parse_time, read_transcript
from sessions.transcripts.segments_json import dump_segments
from tests.transcript_samples import sample_segments

NAMES = {"SPEAKER_00": {"player": "Ada", "character": "Mira"}, "SPEAKER_01": {"player": "Bob", "character": ""}}


@pytest.fixture(scope="module")
def four_hours():
    segments = sample_segments(hours=4)
    assert len(segments) == 5200
    return segments, dump_segments(segments)


def small(*texts, speaker="SPEAKER_00"):
    """Stored bytes of one line a text, ten seconds apart, all by `speaker`."""
    return dump_segments(
        [Segment(start=10.0 * n, end=10.0 * n + 5, speaker=speaker, text=text) for n, text in enumerate(texts)]
    )


def texts(page):
    return ["".join(part for part, _ in line.pieces) for line in page.lines]


def marked(line):
    return [part for part, is_match in line.pieces if is_match]


# --- pages ----------------------------------------------------------------------------------
def test_a_four_hour_session_opens_on_its_first_200_lines(four_hours):
    segments, data = four_hours
    page = read_transcript(data)
    assert PAGE_SIZE == 200
    assert (page.page, page.page_count, page.total_lines) == (1, 26, 5200)
    assert [line.number for line in page.lines] == list(range(200))
    assert texts(page) == [segment.text for segment in segments[:200]]
    assert (page.filtered, page.total_matches, page.occurrences, page.focus_line) == (False, None, None, None)
    assert (page.has_previous, page.has_next) == (False, True)


def test_a_plain_page_parses_only_its_own_lines(four_hours, monkeypatch):
    segments, data = four_hours
    monkeypatch.setattr(reader, "load_segments", lambda data: pytest.fail("loaded every segment"))
    parsed = []
    real_loads = transcript_json.json.loads
    monkeypatch.setattr(transcript_json.json, "loads", lambda text: parsed.append(text) or real_loads(text))
    page = read_transcript(data, page=13)
    assert [line.number for line in page.lines] == list(range(2400, 2600))
    assert texts(page) == [segment.text for segment in segments[2400:2600]]
    assert len(parsed) == 2 + 200  # the header (twice: speakers, then the page) and the page's lines


@pytest.mark.parametrize(("asked", "shown"), [(1, 1), (2, 2), (26, 26), (0, 1), (-1, 1), (27, 26), (10**9, 26)])
def test_page_numbers_out_of_range_are_clamped(four_hours, asked, shown):
    page = read_transcript(four_hours[1], page=asked)
    assert page.page == shown
    assert page.lines[0].number == (shown - 1) * PAGE_SIZE
    assert len(page.lines) == PAGE_SIZE
    assert page.has_next == (shown < 26)


def test_a_short_transcript_is_one_page():
    page = read_transcript(small("Hello.", "Roll for initiative."), page=3)
    assert (page.page, page.page_count, texts(page)) == (1, 1, ["Hello.", "Roll for initiative."])


def test_an_empty_transcript_is_one_empty_page():
    page = read_transcript(dump_segments([]))
    assert (page.page, page.page_count, page.lines, page.speakers) == (1, 1, [], [])


# --- a link to a line ---------------------------------------------------------------------
@pytest.mark.parametrize(("line", "page_number"), [(0, 1), (199, 1), (200, 2), (4321, 22), (5199, 26)])
def test_a_line_opens_on_its_page_and_is_marked(four_hours, line, page_number):
    page = read_transcript(four_hours[1], line=line, page=5)
    assert page.page == page_number
    assert page.focus_line == line
    assert line in [shown.number for shown in page.lines]
    assert page.lines[line % PAGE_SIZE].anchor == f"line-{line}"


def test_a_line_past_the_end_shows_the_last_page_and_says_so(four_hours):
    page = read_transcript(four_hours[1], line=6000)
    assert (page.page, page.focus_line, page.missing_line) == (26, None, 6000)


def test_a_negative_line_is_ignored(four_hours):
    page = read_transcript(four_hours[1], line=-3, page=2)
    assert (page.page, page.focus_line, page.missing_line) == (2, None, None)


# --- speakers and their names -------------------------------------------------------------
def test_speaker_names_apply_and_keep_the_raw_label():
    data = dump_segments(
        [
            Segment(start=0, end=1, speaker="SPEAKER_00", text="I am the GM."),
            Segment(start=1, end=2, speaker="SPEAKER_01", text="I roll."),
            Segment(start=2, end=3, speaker="SPEAKER_02", text="Me too."),
            Segment(start=None, end=None, speaker=None, text="(laughter)"),
        ]
    )
    page = read_transcript(data, names=NAMES)
    assert page.speakers == [("SPEAKER_00", "Mira (Ada)"), ("SPEAKER_01", "Bob"), ("SPEAKER_02", "SPEAKER_02")]
    assert [(line.speaker, line.speaker_name, line.speaker_is_named) for line in page.lines] == [
        ("SPEAKER_00", "Mira (Ada)", True),
        ("SPEAKER_01", "Bob", True),
        ("SPEAKER_02", "SPEAKER_02", False),
        (None, None, False),
    ]
    assert [line.stamp for line in page.lines] == ["00:00", "00:01", "00:02", ""]


def test_filter_by_speaker_keeps_line_numbers_and_pages(four_hours):
    segments, data = four_hours
    theirs = [number for number, segment in enumerate(segments) if segment.speaker == "SPEAKER_02"]
    page = read_transcript(data, speaker="SPEAKER_02", names=NAMES)
    assert page.total_matches == len(theirs) > PAGE_SIZE
    assert page.page_count == -(-len(theirs) // PAGE_SIZE)
    assert [line.number for line in page.lines] == theirs[:PAGE_SIZE]
    assert {line.speaker for line in page.lines} == {"SPEAKER_02"}
    assert (page.filtered, page.occurrences, page.speaker_name) == (True, None, "SPEAKER_02")
    second = read_transcript(data, speaker="SPEAKER_02", page=2)
    assert [line.number for line in second.lines] == theirs[PAGE_SIZE : 2 * PAGE_SIZE]
    assert read_transcript(data, speaker="SPEAKER_00", names=NAMES).speaker_name == "Mira (Ada)"


def test_filter_by_an_unknown_speaker_finds_nothing(four_hours):
    page = read_transcript(four_hours[1], speaker="Nobody")
    assert (page.lines, page.total_matches, page.page, page.page_count) == ([], 0, 1, 1)


def test_a_line_with_a_filter_opens_the_page_of_that_line_among_the_matches(four_hours):
    segments, data = four_hours
    theirs = [number for number, segment in enumerate(segments) if segment.speaker == "SPEAKER_01"]
    target = theirs[450]
    page = read_transcript(data, speaker="SPEAKER_01", line=target)
    assert (page.page, page.focus_line) == (450 // PAGE_SIZE + 1, target)
    # A line of someone else: the page of the speaker's next line, nothing marked.
    other = next(number for number in range(target, 5200) if segments[number].speaker != "SPEAKER_01")
    page = read_transcript(data, speaker="SPEAKER_01", line=other)
    assert page.focus_line is None
    assert min(number for number in theirs if number > other) in [line.number for line in page.lines]


# --- find -----------------------------------------------------------------------------------
def test_find_ignores_case_and_marks_every_match():
    data = small("The Dragon sleeps.", "No beast here.", "dragon, DRAGON and dragonborn")
    page = read_transcript(data, query="dragon")
    assert [line.number for line in page.lines] == [0, 2]
    assert (page.total_matches, page.occurrences, page.query) == (2, 4, "dragon")
    assert page.lines[0].pieces == [("The ", False), ("Dragon", True), (" sleeps.", False)]
    assert marked(page.lines[1]) == ["dragon", "DRAGON", "dragon"]
    assert texts(page)[1] == "dragon, DRAGON and dragonborn"


def test_find_ignores_accents_both_ways():
    data = small(
        "Zoë sneaks in.", "Back to Ærøskøbing.", "The Café du Dragon.", "Un café noir.", "cafe\u0301 decomposed"
    )
    page = read_transcript(data, query="CAFE")
    assert [line.number for line in page.lines] == [2, 3, 4]
    # A combining accent stays with its letter.
    assert [marked(line) for line in page.lines] == [["Café"], ["café"], ["cafe\u0301"]]
    assert marked(read_transcript(data, query="zoe").lines[0]) == ["Zoë"]
    assert marked(read_transcript(data, query="  Zoë ").lines[0]) == ["Zoë"]


def test_find_maps_matches_back_through_characters_that_fold_to_several():
    data = small("Die Straße ist lang. ﬁre!", "🐉 ate the ring 🎲 ring")
    page = read_transcript(data, query="strasse")
    assert page.lines[0].pieces == [("Die ", False), ("Straße", True), (" ist lang. ﬁre!", False)]
    assert marked(read_transcript(data, query="fire").lines[0]) == ["ﬁre"]
    assert read_transcript(data, query="ring").lines[0].pieces == [
        ("🐉 ate the ", False),
        ("ring", True),
        (" 🎲 ", False),
        ("ring", True),
    ]


def test_find_keeps_markup_as_text_for_the_template_to_escape():
    page = read_transcript(small('I say <script>alert("x")</script> aloud'), query="script")
    assert page.lines[0].pieces == [
        ("I say <", False),
        ("script", True),
        ('>alert("x")</', False),
        ("script", True),
        ("> aloud", False),
    ]


def test_find_and_speaker_combine(four_hours):
    segments, data = four_hours
    expected = [
        number
        for number, segment in enumerate(segments)
        if segment.speaker == "SPEAKER_03" and "initiative" in segment.text.lower()
    ]
    page = read_transcript(data, speaker="SPEAKER_03", query="Initiative")
    assert page.total_matches == len(expected) > 0
    assert [line.number for line in page.lines] == expected[:PAGE_SIZE]


def test_find_across_four_hours_pages_the_matches(four_hours):
    segments, data = four_hours
    expected = [number for number, segment in enumerate(segments) if "roll" in segment.text.lower()]
    last = read_transcript(data, query="roll", page=999)
    assert len(expected) > PAGE_SIZE
    assert last.page == last.page_count == -(-len(expected) // PAGE_SIZE)
    assert [line.number for line in last.lines] == expected[(last.page - 1) * PAGE_SIZE :]


def test_a_blank_find_is_no_filter(four_hours):
    page = read_transcript(four_hours[1], query="   ")
    assert (page.filtered, page.query, page.page_count) == (False, "", 26)


# --- a search's words, marked on the page around its line -----------------------------------
def test_mark_words_fold_split_and_cap_as_a_search_does():
    assert reader.mark_words("  Zoë's DRAGON, dragon! a I ") == ("zoe", "dragon")
    assert reader.mark_words("<script>alert(1)</script>") == ("script", "alert")  # only letters and digits
    assert len(reader.mark_words(" ".join(f"w{n}" for n in range(20)))) == MAX_WORDS
    assert reader.mark_words(None) == reader.mark_words("") == ()
    text = "Zoë's DRAGON, ﬁre Straße " + "x" * 60
    assert list(reader.mark_words(text)) == query_words(text)  # the search's words are the reader's


def test_marks_mark_word_starts_on_the_plain_page_and_filter_nothing(four_hours):
    data = small("The Dragon sleeps.", "No beast here.", "dragon, DRAGON and undragged dragonborn", "Zoë’s café")
    page = read_transcript(data, line=2, marks=("drag", "zoe", "cafe"))
    assert [line.number for line in page.lines] == [0, 1, 2, 3]
    assert (page.filtered, page.focus_line, page.marks) == (False, 2, ("drag", "zoe", "cafe"))
    assert page.lines[0].pieces == [("The ", False), ("Drag", True), ("on sleeps.", False)]
    assert marked(page.lines[2]) == ["drag", "DRAG", "drag"]  # not inside "undragged"
    assert marked(page.lines[3]) == ["Zoë", "café"]
    assert texts(page)[2] == "dragon, DRAGON and undragged dragonborn"
    # On a four-hour transcript: the page that holds the line, 200 lines of it.
    far = read_transcript(four_hours[1], line=4321, marks=("roll",))
    assert (far.page, far.focus_line, len(far.lines)) == (22, 4321, PAGE_SIZE)


def test_a_find_is_marked_instead_of_the_marks():
    page = read_transcript(small("The dragon sleeps.", "No beast."), query="sleep", marks=("dragon",))
    assert (page.marks, [marked(line) for line in page.lines]) == ((), [["sleep"]])


def test_the_first_line_with_the_most_of_the_words():
    data = dump_segments(
        [
            Segment(start=0, end=1, speaker="SPEAKER_01", text="Ondragh the ogre."),
            Segment(start=1, end=2, speaker="SPEAKER_01", text="A red cloak."),
            Segment(start=2, end=3, speaker="SPEAKER_01", text="A dragon!"),
            Segment(start=3, end=4, speaker="SPEAKER_00", text="The dragon is red."),
            Segment(start=4, end=5, speaker="SPEAKER_00", text="Another red DRAGON."),
            Segment(start=5, end=6, speaker="SPEAKER_01", text="Mira? A red dragon."),
        ]
    )
    first = reader.first_line_with_words
    assert first(data, ("drag",)) == 2  # at the start of a word only: not "Ondragh"
    assert first(data, ("red", "dragon")) == 3  # both before either alone
    assert first(data, ("red", "dragon"), speaker="SPEAKER_01") == 5
    # A word of the speaker's name counts: where Mira says it.
    assert first(data, ("mira", "dragon"), names=NAMES) == 3
    assert first(data, ("mira", "dragon")) == 5  # unnamed: only "Mira?" in the text
    assert first(data, ("mira",), names=NAMES) == 5  # a line must say a word itself
    assert first(data, ("ragh", "beholder")) is None and first(data, ()) is None
    assert first(data, ("zoe",)) is None


def test_the_first_line_counts_a_speaker_as_shown_never_a_named_speaker_s_raw_label():
    data = dump_segments(
        [
            Segment(start=0, end=1, speaker="SPEAKER_01", text="A dragon."),
            Segment(start=1, end=2, speaker="SPEAKER_00", text="A dragon."),
        ]
    )
    named_bob = {"SPEAKER_01": {"player": "Bob", "character": ""}}
    assert reader.first_line_with_words(data, ("speaker", "dragon"), names=named_bob) == 1  # SPEAKER_00 is unnamed
    assert reader.first_line_with_words(data, ("bob", "dragon"), names=named_bob) == 0


def test_the_first_line_folds_case_and_accents():
    data = small("Nothing yet.", "ZOË is here, at the CAFÉ.")
    assert reader.first_line_with_words(data, reader.mark_words("zoe café")) == 1


@pytest.mark.parametrize(
    ("seconds", "shown", "datetime"),
    [
        (None, "", ""),
        (0, "00:00", "PT0H0M0S"),
        (59.9, "00:59", "PT0H0M59S"),
        (754.2, "12:34", "PT0H12M34S"),
        (3600, "1:00:00", "PT1H0M0S"),
        (14402.5, "4:00:02", "PT4H0M2S"),
    ],
)
def test_times_are_shown_as_clock_times(seconds, shown, datetime):
    assert format_time(seconds) == shown
    assert reader.duration_datetime(seconds) == datetime


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("95", 95),
        ("95.5", 95.5),
        ("0", 0),
        ("23:45", 1425),
        ("75:00", 4500),
        ("1:23:45", 5025),
        (" 1:00:00 ", 3600),
        ("1h", 3600),
        ("1h 23m", 4980),
        ("1h23m45s", 5025),
        ("90s", 90),
        ("5 min", 300),
    ],
)
def test_parse_time_accepts_what_people_type(text, seconds):
    assert parse_time(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "1:2:3:4", "12:60", "1:60:00", "-5", "1h30", "1,5", "9" * 40, "::"])
def test_parse_time_refuses_anything_else_with_a_message(text):
    with pytest.raises(ValueError, match="1:23:45") as error:
        parse_time(text)
    assert text.strip() in str(error.value) or len(text) > 20


def test_line_at_finds_the_first_line_starting_at_or_after_a_time(four_hours):
    segments, data = four_hours
    for seconds in (0, 60, 3600, 3 * 3600 + 1234.5):
        expected = next(number for number, segment in enumerate(segments) if segment.start >= seconds)
        assert line_at(data, seconds) == expected
    assert line_at(data, segments[100].start) == 100  # exactly at a start
    assert line_at(data, 5 * 3600) is None  # past the end


def test_line_at_keeps_to_the_filters(four_hours):
    segments, data = four_hours
    expected = next(
        number for number, segment in enumerate(segments) if segment.speaker == "SPEAKER_01" and segment.start >= 7200
    )
    assert line_at(data, 7200, speaker="SPEAKER_01") == expected
    assert segments[line_at(data, 7200, query="fireball")].start >= 7200


def test_line_at_in_a_transcript_without_times_is_none():
    data = dump_segments([Segment(start=None, end=None, speaker=None, text="No times here.")])
    assert line_at(data, 0) is None


def test_fold_ignores_case_accents_and_compatibility_forms():
    assert fold("Zoë ÆRØ Café ﬁre STRASSE Straße") == "zoe ærø cafe fire strasse strasse"
    assert fold("plain ASCII") == "plain ascii"
    # Folding each character gives the folded string: what lets matches map back.
    text = "İstanbul cafe\u0301 ǰ ℌ 🐉 Ⅻ"
    assert "".join(fold(character) for character in text) == fold(text)


def test_the_summarizers_time_stamps_are_one_fixed_shape():
    # One format_time for the reader and the summarizers: a model reads "hh:mm:ss" always.
    assert format_time(123, fixed_width=True) == "00:02:03"
    assert format_time(3723.9, fixed_width=True) == "01:02:03"
    assert format_time(None, fixed_width=True) == ""
