import codecs
import gc
import json
import math
import textwrap
import tracemalloc

import pytest

from sessions.core.segments import Segment
from sessions.transcripts.parsing import (
    MAX_SPEAKERS,
    TranscriptError,
    detect_format,
    format_from_filename,
    parse_transcript,
    parse_transcript_bytes,
)
from sessions.transcripts.segments_json import dump_segments, load_segments, read_segment_page
from tests.transcript_samples import (
    DISCORD_SPEAKERS,
    SEGMENTS_PER_HOUR,
    render,
    sample_bytes,
    sample_segments,
)


def doc(text):
    return textwrap.dedent(text).lstrip("\n")


def seg(start, end, speaker, text):
    return Segment(start=start, end=end, speaker=speaker, text=text)


# --- detection ------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["vtt", "srt", "text", "whisper_json"])
def test_each_sample_format_is_detected_by_content(format):
    text = render(sample_segments(hours=0.05), format)
    assert detect_format(text) == format
    assert detect_format("\ufeff" + text) == format


@pytest.mark.parametrize(
    "text, format",
    [
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n", "vtt"),
        ("WEBVTT - Whisper\n\n", "vtt"),
        ("\n\n00:00:01,000 --> 00:00:02,000\nhi\n", "srt"),  # SRT without its numbers
        ("[00:00:01] Alice: hi\n", "text"),  # a "[" that is a stamp, not JSON
        ('[ {"start": 0, "end": 1, "text": "hi"} ]', "whisper_json"),
        ('{"segments": []}', "whisper_json"),
        ("Mira (GM): You enter the tavern.\n", "text"),
        ("SPEAKER_00: hi\n", "text"),
    ],
)
def test_detection(text, format):
    assert detect_format(text) == format


def test_prose_without_labels_is_unknown_unless_named_txt():
    prose = "The party entered the cave.\nIt was dark.\n"
    with pytest.raises(TranscriptError) as error:
        detect_format(prose)
    message = str(error.value)
    assert message.startswith("We could not recognise this format.")
    assert "plain text (Name: words), WebVTT, SRT, Whisper JSON" in message
    assert detect_format(prose, filename="session-12.TXT") == "text"
    parsed = parse_transcript(prose, filename="whisper-output.txt")
    assert [segment.text for segment in parsed.segments] == ["The party entered the cave. It was dark."]
    assert parsed.speakers == [] and parsed.duration is None


def test_markup_is_unknown_even_when_named_txt():
    with pytest.raises(TranscriptError, match="could not recognise"):
        detect_format("<html><body>Alice: hi</body></html>", filename="notes.txt")


@pytest.mark.parametrize(
    "filename, format",
    [
        ("a.vtt", "vtt"),
        ("A.WEBVTT", "vtt"),
        ("x/y.srt", "srt"),
        ("C:\\t\\s.json", "whisper_json"),
        ("a.txt", "text"),
        ("a.docx", None),
        ("noext", None),
        (None, None),
    ],
)
def test_format_from_filename(filename, format):
    assert format_from_filename(filename) == format


def test_a_vtt_named_file_holding_srt_is_read_as_srt_with_a_note():
    srt = "1\n00:00:01,000 --> 00:00:02,500\nSPEAKER_00: Hello\n\n"
    parsed = parse_transcript(srt, filename="session.vtt")
    assert parsed.format == "srt"
    assert parsed.filename_format == "vtt" and parsed.name_disagrees
    assert parsed.note == "The file's name says WebVTT, but its content is SRT: we read it as SRT."
    assert parsed.segments == [seg(1.0, 2.5, "SPEAKER_00", "Hello")]


def test_a_name_that_agrees_makes_no_note():
    parsed = parse_transcript("WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n", filename="s.vtt")
    assert not parsed.name_disagrees and parsed.note is None


# --- round trips of the samples -------------------------------------------------------


@pytest.mark.parametrize("speakers", [None, DISCORD_SPEAKERS], ids=["whisper", "discord"])
@pytest.mark.parametrize(
    "format, options",
    [
        ("vtt", {}),
        ("vtt", {"speaker_style": "bracket"}),
        ("vtt", {"speaker_style": "colon"}),
        ("srt", {}),
        ("whisper_json", {}),
        ("whisper_json", {"indent": 2}),
    ],
)
def test_samples_parse_back_to_their_segments(format, options, speakers):
    segments = sample_segments(hours=0.5, seed=3, **({"speakers": speakers} if speakers else {}))
    parsed = parse_transcript_bytes(render(segments, format, **options).encode())
    assert parsed.format == format
    assert parsed.segments == segments
    assert parsed.speakers == list(dict.fromkeys(segment.speaker for segment in segments))
    assert parsed.duration == max(segment.end for segment in segments)


def test_unlabelled_whisper_output_has_no_speakers_even_with_note_lines():
    segments = sample_segments(hours=0.5, seed=3)
    assert sum(segment.text.startswith("Note:") for segment in segments) > 3
    for format, options in (
        ("vtt", {"speaker_style": None}),
        ("whisper_json", {"whisperx": False}),
        ("srt", {"speakers": False}),
    ):
        parsed = parse_transcript(render(segments, format, **options))
        assert parsed.speakers == []
        assert [segment.text for segment in parsed.segments] == [segment.text for segment in segments]


def test_plain_text_sample_round_trip():
    segments = sample_segments(hours=0.5, seed=3, speakers=DISCORD_SPEAKERS)
    parsed = parse_transcript(render(segments, "text"))
    assert [(s.start, s.speaker, s.text) for s in parsed.segments] == [
        (float(math.floor(s.start)), s.speaker, s.text) for s in segments
    ]
    assert [s.end for s in parsed.segments] == [s.start for s in parsed.segments[1:]] + [None]


def test_four_hours_make_over_5000_segments():
    parsed = parse_transcript_bytes(sample_bytes("vtt", hours=4))
    assert parsed.segment_count == 4 * SEGMENTS_PER_HOUR >= 5000
    assert 3.9 * 3600 < parsed.duration < 4.1 * 3600
    assert sorted(parsed.speakers) == ["SPEAKER_00", "SPEAKER_01", "SPEAKER_02", "SPEAKER_03"]


# --- WebVTT ---------------------------------------------------------------------------


def test_vtt_blocks_identifiers_settings_and_tags():
    vtt = doc("""
        WEBVTT Kind: captions
        Language: en

        NOTE made by Whisper
        over two lines

        STYLE
        ::cue { color: lime }

        REGION
        id:fred width:40%

        intro-1
        00:01.000 --> 00:04.500 align:start position:10%
        <v.loud Mira (GM)>You enter the <i>Yawning</i> Portal &amp; it&apos;s loud
        &lt;very&gt;&nbsp;loud.</v>

        2
        00:00:05.000 --> 00:00:07.250
        <v Drake>Hi!</v><v Zoë>Hello <c.yellow>there</c> <00:00:06.000>friend</v>

        01:00:00.000 --> 01:00:01.000
        <v SPEAKER_01>No closing tag
        NOTE this is cue text, not a note
    """)
    parsed = parse_transcript(vtt)
    assert parsed.format == "vtt"
    assert parsed.segments == [
        seg(1.0, 4.5, "Mira (GM)", "You enter the Yawning Portal & it's loud <very> loud."),
        seg(5.0, 7.25, "Drake", "Hi!"),
        seg(5.0, 7.25, "Zoë", "Hello there friend"),
        seg(3600.0, 3601.0, "SPEAKER_01", "No closing tag NOTE this is cue text, not a note"),
    ]
    assert parsed.speakers == ["Mira (GM)", "Drake", "Zoë", "SPEAKER_01"]
    assert parsed.duration == 3601.0


def test_vtt_first_cue_without_a_blank_line_after_the_header():
    parsed = parse_transcript("WEBVTT\n00:00:01.000 --> 00:00:02.000\nhi\n")
    assert parsed.segments == [seg(1.0, 2.0, None, "hi")]


@pytest.mark.parametrize(
    "cue_text, speaker, text",
    [
        ("[SPEAKER_00]: Roll for it.", "SPEAKER_00", "Roll for it."),
        ("SPEAKER_03: Roll for it.", "SPEAKER_03", "Roll for it."),
        ("Speaker 2: Roll for it.", "Speaker 2", "Roll for it."),
        ("[Mira]: Roll for it.", "Mira", "Roll for it."),
        ("Note: the dragon sleeps.", None, "Note: the dragon sleeps."),
        ("Mira: Roll for it.", None, "Mira: Roll for it."),  # a lone name-like label is text
        ("He said: roll for it.", None, "He said: roll for it."),
        ("At 10:30 we rest.", None, "At 10:30 we rest."),
    ],
)
def test_vtt_labels_without_voice_tags_are_taken_conservatively(cue_text, speaker, text):
    parsed = parse_transcript(f"WEBVTT\n\n00:01.000 --> 00:02.000\n{cue_text}\n")
    assert parsed.segments == [seg(1.0, 2.0, speaker, text)]


def test_name_labels_count_when_the_file_is_labelled_throughout():
    # 5 of 7 cues open with a label: labelled throughout, but not nearly every cue, so a
    # label seen once ("Note") stays text.
    lines = [
        "Mira: You see a door.",
        "Drake: I open it.",
        "Mira: It is locked.",
        "Note: it was trapped.",
        "Drake: I pick the lock.",
        "It clicks open.",
        "Behind it, stairs.",
    ]
    cues = "".join(f"00:0{i}.000 --> 00:0{i}.900\n{line}\n\n" for i, line in enumerate(lines))
    parsed = parse_transcript("WEBVTT\n\n" + cues)
    assert [(s.speaker, s.text) for s in parsed.segments] == [
        ("Mira", "You see a door."),
        ("Drake", "I open it."),
        ("Mira", "It is locked."),
        (None, "Note: it was trapped."),  # "Note" opens one cue only
        ("Drake", "I pick the lock."),
        (None, "It clicks open."),
        (None, "Behind it, stairs."),
    ]
    assert parsed.speakers == ["Mira", "Drake"]


# A session where Kai speaks a single line: every cue carries a `Name:` label.
ONCE_LINES = [
    ("Mira", "You see a door."),
    ("Drake", "I open it."),
    ("Kai", "I keep watch."),
    ("Mira", "It is locked."),
    ("Drake", "I pick the lock."),
]


def _labelled_file(format, lines):
    if format == "vtt":
        return "WEBVTT\n\n" + "".join(f"00:{i:02}.000 --> 00:{i:02}.900\n{line}\n\n" for i, line in enumerate(lines))
    if format == "srt":
        return "".join(f"{i + 1}\n00:00:{i:02},000 --> 00:00:{i:02},900\n{line}\n\n" for i, line in enumerate(lines))
    if format == "whisper_json":
        return json.dumps({"segments": [{"start": i, "end": i + 0.9, "text": line} for i, line in enumerate(lines)]})
    return "".join(f"{line}\n" for line in lines)


@pytest.mark.parametrize("format", ["vtt", "srt", "whisper_json", "text"])
def test_a_speaker_who_speaks_once_keeps_the_name_when_every_segment_is_labelled(format):
    parsed = parse_transcript(_labelled_file(format, [f"{name}: {text}" for name, text in ONCE_LINES]))
    assert parsed.format == format
    assert [(s.speaker, s.text) for s in parsed.segments] == ONCE_LINES
    assert parsed.speakers == ["Mira", "Drake", "Kai"]


@pytest.mark.parametrize("format", ["vtt", "srt", "whisper_json"])
def test_a_label_seen_once_stays_text_where_labels_are_rare(format):
    lines = [
        "You see a door.",
        "Note: it was trapped.",
        "The lock clicks.",
        "Mira: not a speaker here.",
        "Stairs go down.",
        "It is dark.",
    ]
    parsed = parse_transcript(_labelled_file(format, lines))
    assert parsed.speakers == []
    assert [s.text for s in parsed.segments] == lines


@pytest.mark.parametrize("format", ["vtt", "srt", "whisper_json"])
def test_nearly_every_segment_labelled_is_enough(format):
    # 10 of 11 segments labelled (one is a continuation without a label): Kai, once, counts.
    lines = [f"{name}: {text}" for name, text in ONCE_LINES] * 2 + ["and then it opens."]
    lines[2] = "Kai: I keep watch."
    lines[7] = "Mira: Again."
    parsed = parse_transcript(_labelled_file(format, lines))
    assert "Kai" in parsed.speakers
    assert parsed.segments[-1].speaker is None


def test_a_lone_label_in_plain_prose_stays_text():
    prose = "The party entered the cave.\nIt was dark.\nNote: the dragon is asleep.\nThey crept past.\n"
    parsed = parse_transcript(prose, filename="whisper.txt")
    assert parsed.speakers == []
    assert [s.text for s in parsed.segments] == [
        "The party entered the cave. It was dark. Note: the dragon is asleep. They crept past."
    ]
    # Labelled plain text keeps its labels from their first line, one line each or not.
    assert parse_transcript("Alice: hi\nBob: ho\n").speakers == ["Alice", "Bob"]
    assert parse_transcript("Kai: I keep watch.\nThe night is quiet.\nIt is cold.\n").speakers == ["Kai"]


def test_speakers_named_once_by_the_format_itself_count_at_once():
    vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Kai>I keep watch.\n\n00:02.000 --> 00:03.000\nThe night is quiet.\n"
    assert parse_transcript(vtt).speakers == ["Kai"]
    whisperx = json.dumps(
        {
            "segments": [
                {"start": 0, "end": 1, "text": "I keep watch.", "speaker": "Kai"},
                {"start": 1, "end": 2, "text": "The night is quiet."},
            ]
        }
    )
    assert parse_transcript(whisperx).speakers == ["Kai"]
    assert parse_transcript("Kai: I keep watch.\n\nThe night is quiet.\n").speakers == ["Kai"]


def test_vtt_without_cues_has_nothing_said():
    with pytest.raises(TranscriptError, match="We found nothing said in this file"):
        parse_transcript("WEBVTT\n\nNOTE nothing here\n")


def test_vtt_text_block_without_timing_names_its_line():
    with pytest.raises(TranscriptError) as error:
        parse_transcript("WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n\nstray text\n")
    assert str(error.value) == (
        "Line 6: expected a cue timing like '00:00:01.000 --> 00:00:04.000' (times as hh:mm:ss.mmm or mm:ss.mmm), "
        "found 'stray text'."
    )


# --- malformed times --------------------------------------------------------------------


def test_the_malformed_time_is_named_with_its_line():
    cues = "".join(f"00:00:0{n}.000 --> 00:00:0{n}.500\nline {n}\n\n" for n in range(1, 4))
    vtt = "WEBVTT\n\nNOTE from Whisper\n\n" + cues + "00:61:00.000 --> 01:02:00.000\noops\n"
    assert vtt.split("\n").index("00:61:00.000 --> 01:02:00.000") + 1 == 14
    with pytest.raises(TranscriptError) as error:
        parse_transcript(vtt)
    assert str(error.value) == "Line 14: '00:61:00.000' is not a valid time: minutes go up to 59."


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "WEBVTT\n\n00:00:01.000 --> 00:00:61.000\nhi\n",
            "Line 3: '00:00:61.000' is not a valid time: seconds go up to 59.",
        ),
        (
            "WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nhi\n",
            "Line 3: '00:00:0x.000' is not a valid time (expected hh:mm:ss.mmm or mm:ss.mmm).",
        ),
        (
            "WEBVTT\n\n00:00:01.000 -->\nhi\n",
            "Line 3: '00:00:01.000 -->' is not a valid cue timing (expected '00:00:01.000 --> 00:00:04.000', times as hh:mm:ss.mmm or mm:ss.mmm).",  # noqa: E501
        ),
        (
            "WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nhi\n",
            "Line 3: the cue ends (00:00:01.000) before it starts (00:00:05.000).",
        ),
        (
            "1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\n00:00:03;000 --> 00:00:04,000\nho\n",
            "Line 6: '00:00:03;000' is not a valid time (expected hh:mm:ss,mmm).",
        ),
        (
            "1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\nno timing\n",
            "Line 6: subtitle 2 has no timing like '00:00:01,000 --> 00:00:04,000' (times as hh:mm:ss,mmm); found 'no timing'.",  # noqa: E501
        ),
        ("[00:00:01] Alice: hi\n[00:00:75] Bob: ho\n", "Line 2: '00:00:75' is not a valid time: seconds go up to 59."),
        ("Alice: hi\nBob (00:61:00): ho\n", "Line 2: '00:61:00' is not a valid time: minutes go up to 59."),
    ],
)
def test_malformed_times(text, message):
    with pytest.raises(TranscriptError) as error:
        parse_transcript(text)
    assert str(error.value) == message


# --- broken SRT and WebVTT are refused, never read as plain text ----------------------

GOOD_CUES = (
    "1\n00:00:01,000 --> 00:00:02,000\nMira: You see a door.\n\n2\n00:00:03,000 --> 00:00:04,000\nDrake: I open it.\n\n"
)


@pytest.mark.parametrize(
    "text, message",
    [
        pytest.param(
            "1\n00:00:xx,000 --> 00:00:02,000\nMira: hi\n\n2\n00:00:03,000 --> 00:00:04,000\nDrake: ho\n",
            "Line 2: '00:00:xx,000' is not a valid time (expected hh:mm:ss,mmm).",
            id="first cue",
        ),
        pytest.param(
            "00:00:xx,000 --> 00:00:02,000\nMira: hi\n",
            "Line 1: '00:00:xx,000' is not a valid time (expected hh:mm:ss,mmm).",
            id="no numbers",
        ),
        pytest.param(
            GOOD_CUES + "3\n00:00:05,000 --> 00:0x:06,000\nMira: hi\n\n4\n00:00:07,000 --> 00:00:08,000\nDrake: ho\n",
            "Line 10: '00:0x:06,000' is not a valid time (expected hh:mm:ss,mmm).",
            id="one bad cue in the middle",
        ),
        pytest.param(
            "1\n00:00:01,000 -> 00:00:02,000\nMira: hi\n",
            "Line 2: subtitle 1 has no timing like '00:00:01,000 --> 00:00:04,000' (times as hh:mm:ss,mmm); "
            "found '00:00:01,000 -> 00:00:02,000'.",
            id="bad arrow",
        ),
        pytest.param(
            "00:00:01,000 → 00:00:02,000\nMira: hi\n",
            "Line 1: expected a subtitle number or a timing like '00:00:01,000 --> 00:00:04,000' (times as "
            "hh:mm:ss,mmm); found '00:00:01,000 → 00:00:02,000'.",
            id="bad arrow, no numbers",
        ),
        pytest.param(
            "1\n00:00:01,000 -->\nMira: hi\n",
            "Line 2: '00:00:01,000 -->' is not a valid cue timing (expected '00:00:01,000 --> 00:00:04,000', "
            "times as hh:mm:ss,mmm).",
            id="missing end time",
        ),
        pytest.param(
            "1\n--> 00:00:02,000\nMira: hi\n",
            "Line 2: '--> 00:00:02,000' is not a valid cue timing (expected '00:00:01,000 --> 00:00:04,000', "
            "times as hh:mm:ss,mmm).",
            id="missing start time",
        ),
        pytest.param(
            "1\n00:00:01,000\nMira: hi\n",
            "Line 2: subtitle 1 has no timing like '00:00:01,000 --> 00:00:04,000' (times as hh:mm:ss,mmm); "
            "found '00:00:01,000'.",
            id="no arrow",
        ),
        pytest.param(
            GOOD_CUES + "3\n00:00:06,000 --> 00:00:05,000\nMira: hi\n",
            "Line 10: the cue ends (00:00:05,000) before it starts (00:00:06,000).",
            id="ends before it starts",
        ),
        pytest.param(
            "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n\n00:03.000 --> 00:xx.000\nho\n",
            "Line 6: '00:xx.000' is not a valid time (expected hh:mm:ss.mmm or mm:ss.mmm).",
            id="vtt",
        ),
        pytest.param(
            "WEBVTT\n\n1\n00:01.000 -> 00:02.000\nhi\n",
            "Line 3: expected a cue timing like '00:00:01.000 --> 00:00:04.000' (times as hh:mm:ss.mmm or "
            "mm:ss.mmm), found '1'.",
            id="vtt bad arrow",
        ),
    ],
)
def test_a_broken_srt_or_vtt_is_refused_with_its_line_and_time_syntax(text, message):
    assert detect_format(text) in ("srt", "vtt")
    for name in (None, "session.srt", "session.vtt", "session.txt"):
        with pytest.raises(TranscriptError) as error:
            parse_transcript_bytes(text.encode(), filename=name)
        assert str(error.value) == message


def test_the_file_name_makes_a_caption_file_of_arrows_the_content_alone_does_not_place():
    text = "O0:00:01,000 --> 00:00:02,000\nMira: hi\n"  # a letter O for a zero
    assert detect_format(text) == "text"  # by content: a label line, and no cue structure it can see
    with pytest.raises(TranscriptError) as error:
        parse_transcript(text, filename="night.srt")
    assert str(error.value) == "Line 1: 'O0:00:01,000' is not a valid time (expected hh:mm:ss,mmm)."
    with pytest.raises(TranscriptError, match=r"^Line 1: a WebVTT file starts with 'WEBVTT'"):
        parse_transcript(text, filename="night.vtt")
    # Whisper's console form, and arrows in words, are plain text whatever the name says.
    console = "[00:01.000 --> 00:04.000]  Mira: hi\n"
    assert parse_transcript(console, filename="night.srt").format == "text"
    assert parse_transcript("Mira: go --> left\n", filename="night.vtt").format == "text"


def test_plain_text_with_times_and_arrows_in_its_words_stays_plain_text():
    text = "Mira: meet at 10:30 -> the docks\nDrake: go left --> then right\n"
    assert parse_transcript(text).format == "text"


def test_cues_out_of_order_are_sorted_not_refused():
    text = GOOD_CUES.replace("00:00:01,000 --> 00:00:02,000", "00:00:05,000 --> 00:00:06,000")
    assert [s.text for s in parse_transcript(text).segments] == ["Drake: I open it.", "Mira: You see a door."]


# --- SRT ------------------------------------------------------------------------------


def test_srt_tolerates_missing_numbers_trailing_spaces_and_crlf():
    srt = (
        "1  \r\n00:00:01,000 --> 00:00:02,000  \r\n<i>Speaker 1:</i> Hello  \r\nagain\r\n\r\n\r\n"
        "00:00:03,000 --> 00:00:04,000\r\n{\\an8}<b>Mira (GM):</b> Roll <script>x</script> & go\r\n   \r\n"
        "3\r\n00:00:05,500-->00:00:06,000\r\n- Not a label: just text\r\n"
    )
    parsed = parse_transcript(srt)
    assert parsed.format == "srt"
    assert parsed.segments == [
        seg(1.0, 2.0, "Speaker 1", "Hello again"),
        seg(3.0, 4.0, None, "Mira (GM): Roll <script>x</script> & go"),
        seg(5.5, 6.0, None, "- Not a label: just text"),
    ]


def test_srt_out_of_order_is_sorted_by_start():
    srt = "1\n00:00:05,000 --> 00:00:06,000\nlater\n\n2\n00:00:01,000 --> 00:00:02,000\nearlier\n"
    assert [s.text for s in parse_transcript(srt).segments] == ["earlier", "later"]


# --- plain text -------------------------------------------------------------------------


def test_plain_text_stamps_speakers_and_continuations():
    text = doc("""
        Session 12 - the Yawning Portal

        [00:00:05] Mira (GM): You enter the tavern.
        It is loud.
        Drake [00:00:12]: I order an ale.
        Zoë: (00:00:20) I look around.
        He said: the barkeep is nervous.

        The end of the recording.
        [1:02] Jean-Luc: Short stamp.
        [00:01:00]
        SPEAKER_01: Stamp on its own line.
        Mira (GM):
        A label alone, the words below.
    """)
    parsed = parse_transcript(text)
    assert parsed.format == "text"
    assert parsed.segments == [
        seg(None, None, None, "Session 12 - the Yawning Portal"),
        seg(5.0, 12.0, "Mira (GM)", "You enter the tavern. It is loud."),
        seg(12.0, 20.0, "Drake", "I order an ale."),
        seg(20.0, None, "Zoë", "I look around. He said: the barkeep is nervous."),
        seg(None, None, None, "The end of the recording."),
        seg(62.0, None, "Jean-Luc", "Short stamp."),  # the next stamp is earlier: no end
        seg(60.0, None, "SPEAKER_01", "Stamp on its own line."),
        seg(None, None, "Mira (GM)", "A label alone, the words below."),
    ]
    assert parsed.speakers == ["Mira (GM)", "Drake", "Zoë", "Jean-Luc", "SPEAKER_01"]
    assert parsed.duration == 62.0


def test_whisper_console_output_is_plain_text_with_end_times():
    text = "[00:00.000 --> 00:04.000]  Hello there.\n[00:04.000 --> 01:00:07.500]  [SPEAKER_01]: Hi.\n"
    parsed = parse_transcript(text)
    assert parsed.format == "text"
    assert parsed.segments == [seg(0.0, 4.0, None, "Hello there."), seg(4.0, 3607.5, "SPEAKER_01", "Hi.")]
    with pytest.raises(TranscriptError, match=r"^Line 1: '\[00:09.000 --> 00:04.000\]' ends before it starts\.$"):
        parse_transcript("[00:09.000 --> 00:04.000] Hello")


def test_plain_text_keeps_its_order():
    parsed = parse_transcript("[00:00:09] A: later\n[00:00:01] B: earlier\n")
    assert [s.text for s in parsed.segments] == ["later", "earlier"]


# --- Whisper JSON ---------------------------------------------------------------------


def test_whisper_json_object_and_bare_list():
    rows = [
        {"id": 0, "start": 4.0, "end": 6.5, "text": "  second  ", "speaker": "SPEAKER_01", "words": [{"w": 1}]},
        {"id": 1, "start": 0, "end": 2.0004, "text": " first", "speaker": "SPEAKER_00"},
        {"id": 2, "start": 7, "end": 8, "text": "  "},
        {"id": 3, "start": 9, "end": 10, "text": "no speaker", "speaker": None},
        {"id": 4, "start": 11, "end": 12, "text": "number", "speaker": 3},
    ]
    expected = [
        seg(0.0, 2.0, "SPEAKER_00", "first"),
        seg(4.0, 6.5, "SPEAKER_01", "second"),
        seg(9.0, 10.0, None, "no speaker"),
        seg(11.0, 12.0, "3", "number"),
    ]
    document = {"text": "all of it", "segments": rows, "language": "en", "word_segments": [{"a": 1}]}
    assert parse_transcript(json.dumps(document)).segments == expected
    assert parse_transcript(json.dumps(rows, indent=1, ensure_ascii=False)).segments == expected
    assert parse_transcript_bytes(json.dumps(rows, ensure_ascii=False).encode()).segments == expected


def test_whisper_json_with_non_ascii_text_from_bytes():
    rows = [{"start": 0, "end": 1, "text": "Zoë 🐉 “quoted” \\u00e9", "speaker": "Zoë"}]
    data = json.dumps({"segments": rows}, ensure_ascii=False).encode("utf-16")
    parsed = parse_transcript_bytes(data)
    assert parsed.segments == [seg(0.0, 1.0, "Zoë", "Zoë 🐉 “quoted” \\u00e9")]
    assert parsed.encoding == "utf-16-le"


def test_whisper_json_half_an_emoji_is_replaced_so_the_text_can_be_stored():
    parsed = parse_transcript('[{"start": 0, "end": 1, "text": "a \\ud83d b", "speaker": "x\\udc00"}]')
    assert parsed.segments == [seg(0.0, 1.0, "x?", "a ? b")]
    assert load_segments(dump_segments(parsed.segments)) == parsed.segments


@pytest.mark.parametrize(
    "text, message",
    [
        (
            '{"segments": [\n{"start": 0, "end": 1, "text": "a"},\n{"end": 1, "text": "b"}\n]}',
            'Line 3: segment 2 has no valid "start" (expected seconds as a number, found null).',
        ),
        ('[{"start": 2, "end": 1, "text": "a"}]', "Line 1: segment 1 ends (1.0) before it starts (2.0)."),
        ('[{"start": 0, "end": 1}]', 'Line 1: segment 1 has no "text".'),
        (
            '[{"start": "0", "end": 1, "text": "a"}]',
            'Line 1: segment 1 has no valid "start" (expected seconds as a number, found "0").',
        ),
        ('{"segments": [\n"hello"\n]}', "Line 2: segment 1 is not an object with start, end and text."),
        (
            '{"segments": [\n{"start": 0, "end": 1, "text": "a"},\n]}',
            "Line 3: this is not valid JSON (Expecting value, column 1).",
        ),
        ('{"text": "hello", "language": "en"}', 'This JSON has no "segments" list'),
        ('{"segments": []} trailing', "Line 1: unexpected text after the end of the JSON (column 18)."),
        ('{"segments": []}', "We found nothing said in this file"),
    ],
)
def test_whisper_json_errors(text, message):
    with pytest.raises(TranscriptError) as error:
        parse_transcript(text)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize(
    "text, message",
    [
        pytest.param(
            '{"segments": [\n  {"start": 0, "end": 1, "text": "a"}\n  {"start": 1, "end": 2, "text": "b"}\n]}',
            "Line 3: this is not valid JSON (expected ']', found '{', column 3).",
            id="missing comma",
        ),
        pytest.param(
            '{"segments": [\n  {"start": 0, "end": 1, "text": "a"},\n  {"start": 1, "end": 2, "te',
            "Line 3: this is not valid JSON (Unterminated string starting at, column 26).",
            id="cut short",
        ),
        pytest.param(
            "{'segments': []}", "Line 1: this is not valid JSON (Expecting value, column 2).", id="single quotes"
        ),
        pytest.param(
            '{"segments": [] "language": "en"}',
            "Line 1: this is not valid JSON (expected '}', found '\"', column 17).",
            id="missing comma in object",
        ),
        pytest.param(
            '{\n  "segments": [{"start": 0, "end": 1, "text": "a"}]\n}\n{"segments": []}',
            "Line 4: unexpected text after the end of the JSON (column 1).",
            id="two documents",
        ),
    ],
)
def test_malformed_json_meant_as_whisper_json_is_refused_with_its_position(text, message):
    # Never read as plain text, whatever the file is called.
    for name in (None, "night.json", "night.txt", "night.srt"):
        with pytest.raises(TranscriptError) as error:
            parse_transcript_bytes(text.encode(), filename=name)
        assert str(error.value) == message


def test_a_json_error_after_non_ascii_text_names_the_column_an_editor_shows():
    # The upload path reads an escaped copy ("é" is 6 characters there, "🐉" 12).
    line = '"segments": [{"start": 0, "end": 1, "text": "Zoë 🐉 dit"} x]}'
    assert line.rindex("x") + 1 == 58
    for encode in (str.encode, lambda text: text.encode("utf-16")):
        with pytest.raises(TranscriptError) as error:
            parse_transcript_bytes(encode('{"language": "fr",\n' + line))
        assert str(error.value) == "Line 2: this is not valid JSON (expected ']', found 'x', column 58)."
    with pytest.raises(TranscriptError) as error:
        parse_transcript_bytes(
            ('{"segments": [{"start": 0, "end": 1, "text": "é"}, {"start": 1, "end": 2, "te').encode()
        )
    assert str(error.value) == "Line 1: this is not valid JSON (Unterminated string starting at, column 75)."


# --- the manual override ----------------------------------------------------------------


def test_override_parses_with_the_chosen_format():
    text = "Roll: a d20\n"  # a label? with format="text" it is, whatever the detection says
    assert parse_transcript(text, format="text").segments == [seg(None, None, "Roll", "a d20")]
    srt = "1\n00:00:01,000 --> 00:00:02,000\nhi\n"
    assert parse_transcript(srt, format="srt", filename="x.vtt").name_disagrees


def test_override_that_does_not_fit_fails_clearly_and_names_the_likely_format():
    srt = "1\n00:00:01,000 --> 00:00:02,000\nhi\n"
    with pytest.raises(TranscriptError) as error:
        parse_transcript(srt, format="vtt")
    assert str(error.value) == (
        "Line 1: a WebVTT file starts with 'WEBVTT'; this one starts with '1'. "
        "It looks like SRT: choose that format, or let us detect it."
    )
    with pytest.raises(TranscriptError, match=r"^Line 1: this is not Whisper JSON"):
        parse_transcript(srt, format="whisper_json")


def test_override_with_an_unknown_format_name():
    with pytest.raises(TranscriptError, match="Unknown format 'docx': choose one of text, vtt, srt, whisper_json."):
        parse_transcript("Alice: hi", format="docx")


# --- encodings through the upload path --------------------------------------------------


@pytest.mark.parametrize(
    "encode, encoding",
    [
        (lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), "utf-8"),
        (lambda text: text.encode("utf-16"), "utf-16-le"),
        (lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"), "utf-16-be"),
        (lambda text: text.encode("utf-16-le"), "utf-16-le"),
        (lambda text: text.replace("\n", "\r\n").encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_of_an_upload(encode, encoding):
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Zoë>“Café” – naïve</v>\n"
    parsed = parse_transcript_bytes(encode(text), filename="s.vtt")
    assert parsed.encoding == encoding
    assert parsed.segments == [seg(1.0, 2.0, "Zoë", "“Café” – naïve")]


def test_text_with_crlf_and_lone_cr():
    parsed = parse_transcript("Alice: one\r\ntwo\rBob: three\r\n")
    assert parsed.segments == [seg(None, None, "Alice", "one two"), seg(None, None, "Bob", "three")]


def test_binary_upload_is_refused_before_parsing():
    with pytest.raises(TranscriptError, match=r"looks binary \(a PNG image\)"):
        parse_transcript_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64), filename="session.vtt")


# --- limits ---------------------------------------------------------------------------


def test_too_many_speakers():
    cues = "".join(f"00:01.000 --> 00:02.000\n<v P{n}>hi\n\n" for n in range(MAX_SPEAKERS + 1))
    with pytest.raises(TranscriptError, match=f"names {MAX_SPEAKERS + 1} different speakers; we accept up to"):
        parse_transcript("WEBVTT\n\n" + cues)


def test_too_long_speaker_name():
    with pytest.raises(TranscriptError, match="^Line 3: the speaker name 'xxx.*' is longer than 100 characters"):
        parse_transcript(f"WEBVTT\n\n00:01.000 --> 00:02.000\n<v {'x' * 101}>hi\n")


@pytest.mark.parametrize("format", ["vtt", "srt", "text", "whisper_json"])
def test_peak_memory_stays_under_five_times_the_file(format):
    """decode + parse + JSON dump of a 4-hour upload, counting the upload itself (a ratio, not a clock)."""
    data = sample_bytes(format, hours=4, speakers=DISCORD_SPEAKERS)
    gc.collect()
    tracemalloc.start()
    try:
        parsed = parse_transcript_bytes(data)
        stored = dump_segments(parsed.segments)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert parsed.segment_count >= 5000 and stored
    assert (len(data) + peak) / len(data) <= 5


# --- the stored form --------------------------------------------------------------------


def test_stored_json_round_trip_and_pages():
    segments = sample_segments(hours=0.2, seed=5) + [seg(None, None, None, 'no time, "quotes"\nand a newline')]
    stored = dump_segments(segments)
    assert load_segments(stored) == segments
    lines = stored.split(b"\n")
    assert len(lines) == len(segments) + 2  # the header line, a line each, the closing line
    assert json.loads(stored)["speakers"] == list(dict.fromkeys(s.speaker for s in segments if s.speaker))

    page = read_segment_page(stored, offset=10, limit=25)
    assert page.segments == segments[10:35] and page.total == len(segments) and page.has_more
    last = read_segment_page(stored, offset=len(segments) - 3, limit=25)
    assert last.segments == segments[-3:] and not last.has_more
    assert read_segment_page(stored, offset=len(segments) + 5, limit=25).segments == []


def test_stored_json_is_compact():
    segments = sample_segments(hours=1)
    stored = dump_segments(segments)
    text_bytes = sum(len(s.text.encode()) for s in segments)
    assert len(stored) < text_bytes + 25 * len(segments)  # times, speaker index, brackets and quotes
    assert stored.split(b"\n")[0].count(b"SPEAKER_00") == 1 and b"SPEAKER_00" not in stored.split(b"\n", 1)[1]


def test_stored_json_with_no_segments_and_a_wrong_version():
    stored = dump_segments([])
    assert load_segments(stored) == []
    assert read_segment_page(stored, offset=0, limit=10).total == 0
    with pytest.raises(ValueError, match="version 2"):
        load_segments(stored.replace(b'"version":1', b'"version":2'))
