"""sessions/sharing/names.py: what a characters-only link puts in place of each name a
summary may hold, a name written without its role ("Sam" for the label "Sam (GM)") too."""

from types import SimpleNamespace

from sessions.sharing.names import names_shown_by_a_link, replace_names, summary_replacements

LABELS = ["Sam (GM)", "Ana", "Ben"]
NAMES = {"Ana": {"player": "", "character": "Mira Thornwood"}}


def test_a_label_s_name_without_its_role_is_hidden_too():
    replacements = summary_replacements(NAMES, LABELS)
    text = "Sam: Strahd sends a letter. Ana reads it; Ben and Sam (GM) laugh. Samwise stays."
    assert replace_names(text, replacements) == (
        "Speaker 1: Strahd sends a letter. Mira Thornwood reads it; Speaker 3 and Speaker 1 laugh. Samwise stays."
    )


def test_a_character_s_name_is_kept_and_the_player_s_hidden():
    names = {"Dev (he/him)": {"player": "Dev (he/him)", "character": "Grunk (the Bold)"}}
    replacements = summary_replacements(names, ["Dev (he/him)"])
    assert replace_names("Dev rolls; Grunk (Dev (he/him)) hits.", replacements).startswith("Grunk (the Bold) rolls")


def test_the_share_form_warns_of_a_name_written_without_its_role():
    session = SimpleNamespace(transcript_speakers=LABELS, has_transcript=True, other_summary_kinds=set())
    recap = SimpleNamespace(kind="recap", text="Sam: Strahd sends a letter.")
    shown = names_shown_by_a_link(session, NAMES, [recap])
    assert "Sam" in shown.by_scope["recap"]


def test_a_parenthesis_alone_is_no_name():
    assert "" not in summary_replacements({}, ["(GM)", "SPEAKER_00"])
