"""How the offline summarizer reads a transcript (sessions/summaries/summarizers/offline.py):
sentences with their speakers, times, words and content terms; each term weighted by how
often it recurs (term frequency over the whole transcript, its most common words left
out, so that it works in other languages too); each sentence scored by its terms, its
length and its place; and the best sentences picked, near-duplicates skipped.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass

from sessions.summaries.summarizers.base import character_part
from sessions.summaries.summarizers.offline_words import STOPWORDS, TABLE_TALK

_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？])")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
EDGE_PUNCTUATION = "\"'“”‘’()[]{}.,;:!?…-–—*"


@dataclass(slots=True)
class Sentence:
    index: int
    speaker: str  # character name, or "" when the format has no speakers
    start: float | None
    text: str
    words: list  # lower-case words as written (for cues)
    terms: frozenset  # content terms (for scoring)


class Transcript:
    def __init__(self, sentences, *, excluded_names=frozenset()):
        self.sentences = sentences
        self.excluded_names = excluded_names  # speakers' own names: never NPCs
        self.word_count = sum(len(sentence.words) for sentence in sentences)
        self.english = _looks_english(sentences)
        self.weights = _term_weights(sentences)

    @classmethod
    def from_request(cls, request):
        sentences = []
        for segment in request.segments:
            text = " ".join((segment.text or "").split())
            if not text:
                continue
            speaker = request.character_name(segment.speaker)
            for piece in split_sentences(text):
                sentences.append(sentence_of(len(sentences), speaker=speaker, start=segment.start, text=piece))
        excluded = set()
        for label in {segment.speaker for segment in request.segments if segment.speaker}:
            display = request.display_name(label)
            for name in (display, character_part(display), *re.findall(r"\(([^)]*)\)", display)):
                name = name.strip().lower()
                if name:
                    excluded.add(name)
                    excluded.update(name.split())
        return cls(sentences, excluded_names=frozenset(excluded))

    def rendered(self):
        return "\n".join(f"{s.speaker}: {s.text}" if s.speaker else s.text for s in self.sentences)

    def score(self, sentence):
        """How much a sentence says about this session: its rare-but-recurring words, by length."""
        if not sentence.terms:
            return 0.0
        content = sum(self.weights.get(term, 0.0) for term in sentence.terms)
        score = content / math.sqrt(len(sentence.terms) + 1)
        n_words = len(sentence.words)
        if n_words < 5:
            score *= 0.3
        elif n_words < 8:
            score *= 0.7
        elif n_words > 60:
            score *= 0.5
        elif n_words > 35:
            score *= 0.8
        relative = sentence.index / max(len(self.sentences) - 1, 1)
        if relative < 0.05 or relative > 0.9:
            score *= 1.2  # the opening situation and the cliffhanger
        talk = sum(1 for word in sentence.words if word in TABLE_TALK)
        if talk:
            score *= 0.4 if talk == 1 else 0.2
        return score


def split_sentences(text):
    pieces = [piece.strip() for piece in _SENTENCE_BREAK.split(text) if piece and piece.strip()]
    merged = []
    carry = ""
    for piece in pieces:
        # "Mr." or "St." alone is an abbreviation, not a sentence: keep it with what follows.
        if len(piece.split()) == 1 and piece.endswith(".") and not CJK.search(piece):
            carry = f"{carry} {piece}".strip()
            continue
        merged.append(f"{carry} {piece}".strip() if carry else piece)
        carry = ""
    if carry:
        merged.append(carry)
    return merged


def sentence_of(index, *, speaker, start, text):
    words = _WORD.findall(text.lower())
    terms = {word for word in set(words) if len(word) > 2 and not word[0].isdigit()} - STOPWORDS
    if not text.isascii() and CJK.search(text):
        # Languages written without spaces: character pairs stand in for words.
        for word in [word for word in terms if CJK.search(word)]:
            terms.discard(word)
            terms.update(word[i : i + 2] for i in range(max(len(word) - 1, 1)))
    return Sentence(index=index, speaker=speaker, start=start, text=text, words=words, terms=frozenset(terms))


def _looks_english(sentences):
    total = english = 0
    for sentence in sentences:
        for word in sentence.words:
            total += 1
            english += word in STOPWORDS
    if not total:
        return False
    cjk = sum(1 for sentence in sentences if CJK.search(sentence.text))
    return english / total >= 0.15 and cjk <= len(sentences) * 0.2


def _term_weights(sentences):
    """Weight of each term: grows with how often it recurs, but words in most sentences count for nothing."""
    frequency = Counter()
    document_frequency = Counter()
    for sentence in sentences:
        document_frequency.update(sentence.terms)
        frequency.update(term for term in sentence.terms)
    # Words shared by many sentences are this transcript's own stopwords, in any language.
    too_common = max(len(sentences) * 0.04, 3) if len(sentences) >= 50 else math.inf
    return {
        term: math.log1p(count) * (1.0 if count > 1 else 0.5)
        for term, count in frequency.items()
        if document_frequency[term] <= too_common
    }


def pick(candidates, *, limit, scored):
    """The best `limit` sentences (scored: sentence -> score), skipping near-duplicates, in story order."""
    ranked = sorted(candidates, key=lambda sentence: (-scored[sentence.index], sentence.index))
    chosen = []
    for sentence in ranked:
        if len(chosen) == limit:
            break
        if scored[sentence.index] <= 0:
            break
        if any(similar(sentence, other) for other in chosen):
            continue
        chosen.append(sentence)
    return sorted(chosen, key=lambda sentence: sentence.index)


def similar(one, other):
    if not one.terms or not other.terms:
        return one.text.lower() == other.text.lower()
    overlap = len(one.terms & other.terms)
    return overlap / len(one.terms | other.terms) > 0.6


def quote(text, *, words):
    parts = text.split()
    if len(parts) <= words:
        return text
    return " ".join(parts[:words]).rstrip(EDGE_PUNCTUATION) + "…"
