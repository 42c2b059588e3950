"""Plain text people or summarizers wrote (summaries, session notes, campaign
descriptions), as blocks of paragraphs and lists for templates/sessions/_text_blocks.html."""

import re

_BULLET = re.compile(r"^\s*[-*•]\s+")


def text_blocks(text):
    """A summary's plain text as paragraphs and lists: [("p", "line\\nline"), ("ul", [item, ...])].

    Lines starting with "- " (or "* ", "• ") are list items; a blank line ends a paragraph or
    a list. Everything stays text: the template escapes it.
    """
    blocks, lines = [], []

    def end_paragraph():
        if lines:
            blocks.append(("p", "\n".join(lines)))
            lines.clear()

    in_list = False
    for line in (text or "").splitlines():
        if _BULLET.match(line):
            end_paragraph()
            item = _BULLET.sub("", line).strip()
            if in_list:
                blocks[-1][1].append(item)
            else:
                blocks.append(("ul", [item]))
                in_list = True
        elif not line.strip():
            end_paragraph()
            in_list = False
        else:
            if in_list and line[:1].isspace():
                blocks[-1][1][-1] += " " + line.strip()  # a list item wrapped onto the next line
                continue
            in_list = False
            lines.append(line.rstrip())
    end_paragraph()
    return blocks
