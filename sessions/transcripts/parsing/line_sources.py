"""Line sources: a string's lines without a list of them, and blocks between blank lines."""

from dataclasses import dataclass, field


def lines_of_text(text):
    """The lines of a string without building a list of them; "\\r\\n" and "\\r" end lines too."""
    has_cr = "\r" in text
    start, length = 0, len(text)
    if text.startswith("\ufeff"):
        start = 1
    while start < length:
        end = text.find("\n", start)
        if end == -1:
            end = length
        line = text[start:end]
        start = end + 1
        if has_cr and "\r" in line:
            yield from line.removesuffix("\r").split("\r")
        else:
            yield line


@dataclass(frozen=True, slots=True)
class Block:
    line_number: int  # of its first line
    lines: list[str] = field(default_factory=list)


def split_blocks(lines):
    """Groups of non-blank lines, split at blank (or whitespace-only) lines."""
    block = None
    for number, line in enumerate(lines, 1):
        if line.strip():
            if block is None:
                block = Block(number)
            block.lines.append(line)
        elif block is not None:
            yield block
            block = None
    if block is not None:
        yield block
