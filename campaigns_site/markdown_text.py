"""Markdown that people or v1.0's summarizer wrote (summaries imported from v1.0), as HTML
that is safe to show: nothing in it can run, load or restyle anything.

- Raw HTML is off: `<script>`, `<img onerror=…>`, `<iframe>` show as the text they are.
- Links go only to http, https and mailto (markdown-it's own check refuses javascript:,
  vbscript:, file: and most data:; this one also refuses relative and any other scheme):
  a refused link shows as its text. Links get rel="nofollow noopener noreferrer".
- Images are never loaded (a tracking pixel would tell a third party who reads a shared
  page, and when): an image with a safe address becomes a link to it, named by its alt
  text; otherwise its alt text alone.
- Headings start at <h4>: on the pages the summary's own title is an <h3>.

markdown-it is imported inside markdown_html, not at the top: the template library that
uses this (campaigns_site/templatetags/markdown_tags.py) is imported when Django builds
its template engine, at the cold start that serves "/" (tests/test_aws_access.py and
scripts/bench_coldstart.py watch what that imports), and most pages show no Markdown.
"""

from functools import lru_cache
from urllib.parse import urlsplit

from django.utils.html import escape
from django.utils.safestring import mark_safe

ALLOWED_SCHEMES = ("http", "https", "mailto")
LINK_REL = "nofollow noopener noreferrer"
FIRST_HEADING_LEVEL = 4  # "# Title" is an <h4>; "####" and below are <h6>


def is_allowed_link(url):
    """Whether a link may point at `url`: an absolute http, https or mailto address."""
    url = (url or "").strip()
    if not url or any(ord(char) < 32 for char in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return False
    return parts.scheme.lower() == "mailto" or bool(parts.netloc)


def markdown_html(text):
    """`text` (CommonMark) as safe HTML."""
    tokens = _parser().parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + FIRST_HEADING_LEVEL - 1, 6)
            token.tag = f"h{level}"
    return mark_safe(_parser().renderer.render(tokens, _parser().options, {}))


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt  # here, not at the top: see the module's docstring

    parser = MarkdownIt("commonmark", {"html": False})
    parser.validateLink = is_allowed_link
    parser.add_render_rule("link_open", _link_open)
    parser.add_render_rule("image", _image)
    return parser


def _link_open(renderer, tokens, index, options, env):
    token = tokens[index]
    token.attrs = {"href": token.attrGet("href"), "rel": LINK_REL}  # nothing else: no title, no target
    return renderer.renderToken(tokens, index, options, env)


def _image(renderer, tokens, index, options, env):
    """An image as a link to it (never loaded), named by its alt text."""
    token = tokens[index]
    alt = renderer.renderInlineAsText(token.children or [], options, env) or "image"
    src = token.attrGet("src") or ""
    if not is_allowed_link(src):
        return escape(alt)
    return f'<a href="{escape(src)}" rel="{LINK_REL}">{escape(alt)} (image)</a>'
