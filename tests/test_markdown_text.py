"""Markdown shown safely (campaigns_site/markdown_text.py, the `markdown` template filter):
v1.0's summaries are Markdown that a model (steered by anybody's transcript) wrote, and
they show on public share pages. Nothing in the output may run, load or restyle anything:
no script, style or iframe element, no on* attribute, no link but http/https/mailto, no
image loaded. Checked on chosen cases and on generated text (hypothesis)."""

import subprocess
import sys
from html.parser import HTMLParser

from django.template import Context, Template
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns_site.markdown_text import is_allowed_link, markdown_html

DANGEROUS_TAGS = {"script", "style", "iframe", "object", "embed", "img", "svg", "math", "form", "input", "base", "link"}
DANGEROUS_TAGS |= {"meta", "frame", "frameset", "video", "audio", "source", "picture", "textarea", "button"}


class Elements(HTMLParser):
    """Every start tag of an HTML fragment, with its attributes."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def assert_harmless(html):
    for tag, attrs in Elements(html).found:
        assert tag not in DANGEROUS_TAGS, (tag, html)
        assert tag in {"p", "a", "em", "strong", "ul", "ol", "li", "code", "pre", "blockquote", "hr", "br"} | {
            "h4",
            "h5",
            "h6",
        }, (tag, html)
        for name, value in attrs.items():
            assert not name.startswith("on"), (name, html)
            assert name in {"href", "rel", "start", "class"}, (name, html)
            if name == "href":
                assert is_allowed_link(value), (value, html)
                assert value.strip().lower().split(":", 1)[0] in ("http", "https", "mailto"), (value, html)
            if name == "class":
                assert value.startswith("language-"), (value, html)  # a fenced block's info string, as text


def test_markup_is_rendered():
    html = markdown_html("# Session 3\n\n**Strahd** *smiles*.\n\n- a key\n- a rose\n\n1. one\n2. two\n\n> said")
    assert "<h4>Session 3</h4>" in html
    assert "<strong>Strahd</strong> <em>smiles</em>" in html
    assert "<ul>\n<li>a key</li>" in html
    assert "<ol>" in html and "<blockquote>" in html
    assert_harmless(html)


def test_headings_start_below_the_summarys_own_title():
    html = markdown_html("# one\n\n## two\n\n### three\n\n###### six")
    assert [tag for tag, _ in Elements(html).found] == ["h4", "h5", "h6", "h6"]


def test_raw_html_is_text():
    html = markdown_html('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">\n\n<div style="x">hi</div>')
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=" in html
    assert_harmless(html)


def test_links_go_only_to_http_https_and_mailto():
    html = markdown_html(
        "[web](https://example.com/a?b=1&c=2) [mail](mailto:gm@example.com) <https://auto.example>"
        " [js](javascript:alert(1)) [js2](JaVaScRiPt:alert(1)) [vb](vbscript:x) [data](data:text/html,x)"
        " [file](file:///etc/passwd) [relative](/campaigns/) [proto](//evil.example) <javascript:alert(1)>"
        ' [t](https://example.com "a title")'
    )
    hrefs = [attrs["href"] for tag, attrs in Elements(html).found if tag == "a"]
    assert hrefs == [
        "https://example.com/a?b=1&c=2",
        "mailto:gm@example.com",
        "https://auto.example",
        "https://example.com",
    ]
    assert 'rel="nofollow noopener noreferrer"' in html
    assert "title=" not in html
    assert_harmless(html)


def test_images_are_never_loaded():
    html = markdown_html("![the map](https://tracker.example/p.gif) ![pixel](javascript:alert(1)) ![](x.png)")
    assert "<img" not in html
    assert '<a href="https://tracker.example/p.gif" rel="nofollow noopener noreferrer">the map (image)</a>' in html
    assert "pixel" in html
    assert_harmless(html)


def test_the_filter_marks_the_html_safe_and_plain_text_is_not_touched():
    template = Template("{% load markdown_tags %}{{ text|markdown }}")
    assert template.render(Context({"text": "**a** <b>"})) == "<p><strong>a</strong> &lt;b&gt;</p>\n"
    assert template.render(Context({"text": ""})) == ""
    assert template.render(Context({"text": None})) == ""


def test_markdown_it_is_not_imported_with_the_template_engine():
    """The filter's library is imported when Django builds its engine, at every cold start:
    markdown-it only when a page shows Markdown."""
    code = (
        "import django, sys; django.setup(); from django.template import engines; engines['django'].engine;"
        "import campaigns_site.templatetags.markdown_tags; print('markdown_it' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"DJANGO_SETTINGS_MODULE": "campaigns_site.settings", "PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.strip() == "False"


PIECES = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//x.example/x.js>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://x.example>",
        "<style>body{display:none}</style>",
        "<svg onload=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](  javascript:alert(1) )",
        "[x](java\tscript:alert(1))",
        "[x](java&#x09;script:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "<javascript:alert(1)>",
        "![x](https://t.example/p.gif)",
        "![x](javascript:alert(1))",
        '![x](https://t.example/p.gif "onerror=alert(1)")',
        "[ref]: javascript:alert(1)\n\n[ref]",
        "[ok](https://example.com)",
        "<https://example.com>",
        '" onmouseover="alert(1)',
        "`<script>`",
        "```html\n<script>alert(1)</script>\n```",
        "# heading",
        "- item",
        "> quote",
        "**bold**",
        "\n\n",
        "&lt;script&gt;",
        "<!-- comment -->",
        "<?php ?>",
        "<![CDATA[x]]>",
    ]
)


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=12).map("".join))
def test_no_generated_text_makes_anything_that_runs_or_loads(text):
    assert_harmless(markdown_html(text))
