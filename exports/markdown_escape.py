"""User text inside the vault's notes, so that nothing a user typed (or a model wrote) can
change a note's structure: no heading, link, wikilink, tag, HTML, comment or math that was
not in the text's own Markdown, however the note is read (CommonMark, GitHub, Obsidian).

- inline(text): one line (a title, a name) as literal text: every character with a meaning
  to CommonMark or Obsidian is backslash-escaped (all ASCII punctuation may be), line
  breaks become spaces.
- plain_markdown(text): plain text as the app keeps it (paragraphs, "- " list lines) as
  Markdown that shows the same: list lines stay a list, every other character is literal.
- summary_markdown(text): a summary that is already Markdown (text_format "markdown"):
  kept, but its headings are moved under the section's ("#" becomes "###"), raw HTML and
  images show as text (the app never renders or loads them), "[[" cannot make an Obsidian
  link. If what comes out still has what it must not (HTML, a heading as high as the
  section's, an image, a link to anything but http, https or mailto), the text is shown as
  plain text instead.
"""

import re
from functools import lru_cache

from campaigns_site.markdown_text import is_allowed_link

# Characters escaped inside a line. Besides CommonMark's (emphasis, code, links, HTML,
# entities, tables): `#` (an Obsidian #tag), `$` (math), `%` (an Obsidian %%comment%%),
# `^` (a block id), `=` and `~` (highlight, strikethrough).
_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>#!|~&$%^=])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_START = re.compile(r"^([-+=])")
_ORDERED_START = re.compile(r"^([0-9]{1,9})([.)])")
_LIST_ITEM = re.compile(r"^\s*[-*•]\s+(.*)$")
_ATX = re.compile(r"^((?: {0,3}> ?)*)( {0,3})(#{1,6})(?=[ \t]|$)")
_UNESCAPED_WIKILINK = re.compile(r"(?<!\\)\[\[")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
SECTION_HEADING_LEVEL = 2  # a summary's headings go below its "## Recap"
PROBE = "next section"


def clean_text(text):
    """Text without carriage returns, tabs or control characters."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x85", "\n").replace("\t", "    ")
    return _CONTROL.sub("", text)


def inline(text):
    """One line of literal text."""
    line = " ".join(clean_text(text).split())
    return _escape_line(line)


def _escape_line(line):
    line = _INLINE_SPECIALS.sub(r"\\\1", line)
    return _ORDERED_START.sub(r"\1\\\2", _LINE_START.sub(r"\\\1", line))


def plain_markdown(text):
    """Plain text (paragraphs and "- " list lines) as Markdown showing the same."""
    blocks, previous, gap = [], None, False
    for raw in clean_text(text).split("\n"):
        item = _LIST_ITEM.match(raw)
        line = " ".join((item.group(1) if item else raw).split())
        if not line:
            gap = True
            continue
        kind = "item" if item else "line"
        if blocks and (gap or kind != previous):
            blocks.append("")  # a blank line where the text had one, and between a list and a paragraph
        elif blocks and kind == "line":
            blocks[-1] += "\\"  # a line break inside a paragraph, as typed
        blocks.append(f"- {_escape_line(line)}" if item else _escape_line(line))
        previous, gap = kind, False
    return "\n".join(blocks)


def summary_markdown(text):
    """A Markdown summary, kept, with its structure held below the section's heading."""
    text = clean_text(text).strip("\n")
    rewritten = _rewritten(text)
    return rewritten if _is_contained(rewritten) else plain_markdown(text)


@lru_cache(maxsize=2)
def _parser(*, inline=True):
    """CommonMark with HTML recognised (to be shown as text); without `inline`, blocks
    only: where the headings and code are, at half the cost."""
    from markdown_it import MarkdownIt  # only when a note is written, not at a cold start

    parser = MarkdownIt("commonmark", {"html": True})
    return parser if inline else parser.disable("inline")


def _rewritten(text):
    lines = text.split("\n")
    code_lines = set()
    for token in _parser(inline=False).parse(text):
        if token.map is None or token.nesting == -1:
            continue
        start, end = token.map
        if token.type in ("fence", "code_block"):
            code_lines.update(range(start, end))
        elif token.type == "heading_open":
            _demote(lines, token, start, end)
    for number, line in enumerate(lines):
        if number not in code_lines:
            line = line.replace("[[", r"\[\[").replace("]]", r"\]\]").replace("![", r"!\[")
            line = line.replace("%%", r"\%\%").replace("$$", r"\$\$")  # Obsidian: a comment, math to the end
            lines[number] = _TAG_START.sub(r"\\<", line)
    return "\n".join(lines)


def _demote(lines, token, start, end):
    level = min(int(token.tag[1]) + SECTION_HEADING_LEVEL, 6)
    if token.markup.startswith("#"):
        lines[start] = _ATX.sub(lambda match: f"{match[1]}{match[2]}{'#' * level}", lines[start], count=1)
        return
    # A setext heading (a line under a line): the same text as one "###" line.
    words = " ".join(line.strip() for line in lines[start : end - 1])
    lines[start] = f"{'#' * level} {words}"
    for number in range(start + 1, end):
        lines[number] = ""


def _is_contained(text):
    """Whether `text` has no HTML, no heading as high as the section's, no image, no link
    but to http(s) or mailto, no "[[" that Obsidian would take for a link, and leaves
    nothing open (a fence, a list) that the note's next section would fall into."""
    references = {}
    tokens = _parser(inline=False).parse(f"{text}\n\n## {PROBE}\n", references)
    probe = tokens[-3:]
    if [token.type for token in probe] != ["heading_open", "inline", "heading_close"] or probe[0].level != 0:
        return False
    if probe[0].tag != "h2" or probe[1].content != PROBE:
        return False
    for token in tokens[:-3]:
        if token.type == "html_block":
            return False
        if token.type == "heading_open" and int(token.tag[1]) <= SECTION_HEADING_LEVEL:
            return False
        if token.type == "inline" and _is_wrong_inline(token.content, references):
            return False
    return True


def _is_wrong_inline(content, references):
    if _UNESCAPED_WIKILINK.search(content):
        return True
    if "<" not in content and "[" not in content:
        return False  # no link, image or HTML can start (the slow inline parse skipped)
    for child in _parser().parseInline(content, references)[0].children or []:
        if child.type in ("html_inline", "image"):
            return True
        if child.type == "link_open" and not is_allowed_link(child.attrGet("href")):
            return True  # a relative link would point at nothing in the vault
    return False
