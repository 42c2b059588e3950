"""The sample transcripts (samples/): each is read by the real parser as its format,
with named speakers and every line, and the upload form links to each one."""

from pathlib import Path

import pytest
from django.templatetags.static import static

from sessions.transcripts.parsing import parse_transcript_bytes

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
PLAYERS = {"Sam (GM)", "Ana", "Ben", "Chloé", "Dev"}
EXPECTED = {
    "volos-offer.txt": ("text", 16),
    "the-skewered-dragon.vtt": ("vtt", 14),
    "the-warehouse.srt": ("srt", 34),
    "renaer.json": ("whisper_json", 13),
}


def test_there_is_one_sample_in_each_format():
    assert {path.name for path in SAMPLES.iterdir()} == set(EXPECTED) | {"README.md"}
    assert {format for format, _ in EXPECTED.values()} == {"text", "vtt", "srt", "whisper_json"}


@pytest.mark.parametrize("name", EXPECTED)
def test_a_sample_parses_with_named_speakers_and_every_line(name):
    data = (SAMPLES / name).read_bytes()
    expected_format, lines = EXPECTED[name]

    parsed = parse_transcript_bytes(data, filename=name)

    assert (parsed.format, parsed.note) == (expected_format, None)
    assert parsed.segment_count == lines
    assert set(parsed.speakers) == PLAYERS
    assert all(segment.speaker in PLAYERS and segment.text.strip() for segment in parsed.segments)
    assert all(segment.start is not None for segment in parsed.segments)
    assert not any(segment.text.startswith(tuple(f"{player}:" for player in PLAYERS)) for segment in parsed.segments)
    assert len(data) < 4096  # small: a newcomer can read one


@pytest.mark.parametrize("page", ["", "transcript/upload/"], ids=["session page", "upload page"])
def test_the_upload_form_links_every_sample(owner, session, client, page):
    html = owner.get(f"/campaigns/{session.campaign_id}/sessions/{session.session_id}/{page}").content.decode()

    assert "No file at hand? Try one of our samples" in html
    for name in EXPECTED:
        url = static(f"samples/{name}")
        assert f'href="{url}" download="{name}"' in html
        served = client.get(url)
        assert served.status_code == 200
        assert (
            b"".join(served.streaming_content if served.streaming else [served.content])
            == (SAMPLES / name).read_bytes()
        )
