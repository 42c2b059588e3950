"""The browser's part of an upload, played for real: the upload form read off the page, the
file posted to the bucket with `requests` (in-process moto answers like S3, with a 303 to the
form's success_action_redirect), and the confirmation page's form posted back."""

from html.parser import HTMLParser
from types import SimpleNamespace

import requests

from tests.web_clients import post


class _Forms(HTMLParser):
    """The forms of a page: action, method, class, and their named fields' values in order
    (a <select> gives its first option's value)."""

    def __init__(self):
        super().__init__()
        self.forms, self._select = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(SimpleNamespace(attrs=attrs, fields={}, file_fields=[], selects=[]))
        elif tag == "input" and self.forms and "name" in attrs:
            if attrs.get("type") == "file":
                self.forms[-1].file_fields.append(attrs["name"])
            else:
                self.forms[-1].fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "select" and self.forms:
            self._select = attrs["name"]
            self.forms[-1].selects.append(attrs["name"])
        elif tag == "option" and self._select and self._select not in self.forms[-1].fields:
            self.forms[-1].fields[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def forms_of(response):
    """The page's own forms: not the layout's (sign out, theme), which have an action."""
    parser = _Forms()
    parser.feed(response.content.decode())
    layout = ("/accounts/logout/", "/preferences/theme/")
    return [form for form in parser.forms if not form.attrs.get("action", "").endswith(layout)]


def upload_form_of(response):
    (form,) = [form for form in forms_of(response) if "upload-form" in form.attrs.get("class", "")]
    return form


def post_to_s3(form, data, filename, *, format="", **fields):
    assert form.file_fields == ["file"]
    data_fields = {
        **form.fields,
        "x-amz-meta-filename": filename,
        "x-amz-meta-format": format,
        "x-amz-meta-summarize": "",
        **fields,
    }
    answer = requests.post(
        form.attrs["action"], data=data_fields, files={"file": (filename or "blob", data)}, allow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    location = answer.headers["Location"]
    assert location.startswith("http://testserver/")
    return location.removeprefix("http://testserver")


def confirm(client, uploaded_path):
    """GET the page S3 sent the browser to, then post its form back (the page's script does)."""
    page = client.get(uploaded_path)
    assert page.status_code == 200, page.content.decode()
    (form,) = forms_of(page)
    assert form.attrs.get("method") == "post" and "action" not in form.attrs  # posts to the same URL
    return post(client, uploaded_path, {"upload": form.fields["upload"]})
