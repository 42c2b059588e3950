"""File names safe on Windows, macOS and Linux (exports/file_names.py): what an export
names its transcripts and Markdown notes after, from anything a user typed. Checked on
chosen cases and on generated text (hypothesis): any text gives a safe, non-empty name,
making a safe name safe again changes nothing, and claimed names never clash on a
case-insensitive file system."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exports.file_names import DEVICE_NAMES, UniqueNames, safe_file_name

REFUSED_BY_WINDOWS = set('/\\:*?"<>|')
UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Cn", "Zl", "Zp"}

# Any code point, lone surrogates and unassigned ones included, weighted towards the
# characters that matter here.
ANY_CHARACTER = st.characters(exclude_categories=())
TRICKY_CHARACTER = st.sampled_from([*REFUSED_BY_WINDOWS, " ", ".", "\t", "\n", "\x00", "\x7f", "\x85", "\u2028"])
TRICKY_CHARACTER |= st.sampled_from(["\u202e", "\u200b", "\ufeff", "\u0301", "é", "ß", "İ", "ﬁ", "😀", "¹", "$"])
ANY_NAME = st.text(alphabet=ANY_CHARACTER | TRICKY_CHARACTER, max_size=80)
DEVICE_LIKE = st.builds(
    lambda device, case, tail: (device.lower() if case else device) + tail,
    st.sampled_from(sorted(DEVICE_NAMES)),
    st.booleans(),
    st.sampled_from(["", ".txt", ".tar.gz", " .md", ".", " ", "..md"]),
)


def assert_safe(name, max_bytes=120):
    assert name, "empty"
    assert name == unicodedata.normalize("NFC", name)
    assert not set(name) & REFUSED_BY_WINDOWS
    assert not [char for char in name if unicodedata.category(char) in UNSAFE_CATEGORIES]
    assert name == name.strip(" ."), "a leading or trailing space or dot"
    assert name not in (".", "..")
    assert name.partition(".")[0].rstrip(" ").upper() not in DEVICE_NAMES
    assert len(name.encode("utf-8")) <= max_bytes
    assert "  " not in name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("CON", "CON_"),
        ("con.txt", "con_.txt"),
        ("Com1.tar.gz", "Com1_.tar.gz"),
        ("lpt¹", "lpt¹_"),
        ("nul .md", "nul_.md"),
        ("CONOUT$", "CONOUT$_"),
        ("console.txt", "console.txt"),
        ("Session 3: The Tomb", "Session 3 - The Tomb"),
        ('What? "Really" <no>*', "What Really no"),
        ("a/b\\c|d", "a - b - c - d"),
        ("1:-", "1 -"),
        ("a - - - b", "a - b"),
        ("  ..hidden. . ", "hidden"),
        ("..", "untitled"),
        (".", "untitled"),
        ("", "untitled"),
        (None, "untitled"),
        ("\x00\x1f\x7f\x9f", "untitled"),
        ("tab\there\nnewline", "tab here newline"),
        ("\u202egpj.exe", "gpj.exe"),
        ("zero\u200bwidth", "zerowidth"),
        ("e\u0301te\u0301", "été"),
    ],
)
def test_names_made_safe(name, expected):
    assert safe_file_name(name) == expected
    assert_safe(safe_file_name(name))


def test_a_device_name_in_any_form_is_changed():
    for device in DEVICE_NAMES:
        for name in (device, device.lower(), f"{device}.txt", f"{device.title()}.tar.gz"):
            assert_safe(safe_file_name(name))


def test_the_fallback_is_used_and_made_safe_too():
    assert safe_file_name("???", fallback="Untitled session") == "Untitled session"
    assert safe_file_name("", fallback="con") == "con_"
    assert safe_file_name("", fallback="") == "untitled"


def test_a_300_character_title_is_cut_keeping_its_extension():
    name = safe_file_name("The longest session title ever " * 10 + ".vtt")
    assert name.endswith(".vtt") and name.startswith("The longest session")
    assert_safe(name)
    assert len(name.encode()) >= 115


def test_a_cut_falls_on_a_character_not_inside_one():
    for text in ("é" * 200, "😀" * 100, "日本語" * 100, "e\u0301" * 150):
        name = safe_file_name(text, max_bytes=50)
        assert_safe(name, max_bytes=50)
        assert name.encode().decode() == name and len(name.encode()) > 44


def test_a_long_extension_is_not_kept_at_the_cost_of_the_name():
    name = safe_file_name("notes." + "x" * 200, max_bytes=40)
    assert name.startswith("notes") and len(name.encode()) <= 40


def test_a_cut_that_makes_a_device_name_is_changed():
    assert safe_file_name("CONSTANTINOPLE", max_bytes=16) == "CONSTANTINOPLE"
    assert safe_file_name("CONOUT$é" + "x" * 30, max_bytes=16).startswith("CONOUT$")
    assert_safe(safe_file_name("CON" + "é" * 20, max_bytes=16), max_bytes=16)


def test_max_bytes_has_a_floor():
    with pytest.raises(ValueError):
        safe_file_name("x", max_bytes=8)


@settings(max_examples=400, deadline=None)
@given(name=ANY_NAME | DEVICE_LIKE, max_bytes=st.integers(min_value=16, max_value=255))
def test_any_text_gives_a_safe_name_that_stays_as_it_is(name, max_bytes):
    safe = safe_file_name(name, max_bytes=max_bytes)
    assert_safe(safe, max_bytes=max_bytes)
    assert safe_file_name(safe, max_bytes=max_bytes) == safe


# --- unique names ----------------------------------------------------------------------------
def test_names_differing_only_in_case_get_numbers():
    names = UniqueNames()
    assert [names.claim(name) for name in ("Ash.md", "ash.md", "ASH.MD", "Ash.md")] == [
        "Ash.md",
        "ash (2).md",
        "ASH (3).MD",
        "Ash (4).md",
    ]


def test_a_name_that_looks_numbered_already_is_skipped():
    names = UniqueNames()
    assert names.claim("Ash (2).md") == "Ash (2).md"
    assert names.claim("Ash.md") == "Ash.md"
    assert names.claim("ash.md") == "ash (3).md"


def test_composed_and_decomposed_spellings_are_one_name():
    names = UniqueNames()
    assert names.claim("Café.md") == "Café.md"
    assert names.claim("Cafe\u0301.md") == "Café (2).md"
    assert names.claim("CAFÉ.md") == "CAFÉ (3).md"


def test_a_numbered_name_is_safe_as_it_is():
    names = UniqueNames()
    assert [names.claim(name) for name in ("1:-", "1 - -", "1 -")] == ["1 -", "1 - (2)", "1 - (3)"]


def test_a_numbered_long_name_still_fits():
    names = UniqueNames(max_bytes=40)
    first, second = names.claim("x" * 100 + ".md"), names.claim("X" * 100 + ".md")
    assert second.endswith(" (2).md") and len(second.encode()) <= 40
    assert first != second
    assert_safe(second, max_bytes=40)


def _file_system_keys(name):
    nfc = unicodedata.normalize("NFC", name)
    return {
        unicodedata.normalize("NFC", nfc.casefold()),
        "nfd:" + unicodedata.normalize("NFD", unicodedata.normalize("NFD", name).casefold()),
        "lower:" + nfc.lower(),
    }


@settings(max_examples=150, deadline=None)
@given(wanted=st.lists(ANY_NAME | DEVICE_LIKE | st.sampled_from(["Ash.md", "ash.MD", "Ash (2).md"]), max_size=40))
def test_many_claims_never_clash(wanted):
    names = UniqueNames(max_bytes=60)
    claimed = [names.claim(name) for name in wanted]
    seen = set()
    for name in claimed:
        assert_safe(name, max_bytes=60)
        assert safe_file_name(name, max_bytes=60) == name
        keys = _file_system_keys(name)
        assert not keys & seen, name
        seen |= keys
