"""One way to talk to the table: PynamoDB's connection, shared by every item type, and
DynamoDB's typed attribute values ({"S": ...}) handled by campaigns_site/dynamodb.py alone."""

import re
from pathlib import Path

import pytest

from campaigns_site import dynamodb
from campaigns_site.table import TableModel

PROJECT_DIR = Path(__file__).resolve().parent.parent
APP_PACKAGES = ["accounts", "campaigns", "campaigns_site", "exports", "sessions", "v1"]
LOW_LEVEL_MODULE = PROJECT_DIR / "campaigns_site" / "dynamodb.py"
# Typed attribute values, written or read: {"S": ...}, item["S"], value.get("N"), {"BOOL": ...}
RAW_ATTRIBUTE_VALUE = re.compile(r"""[{\[(]\s*["'](S|N|B|BOOL|NULL|SS|NS|BS|L|M)["']\s*[:\]),]""")
# The table's control plane (creating and tagging it, describing it for the staff page) may use boto3.
CONTROL_PLANE = {
    "campaigns_site/provision.py",
    "campaigns_site/tagging.py",
    "campaigns_site/doctor/table.py",
    "accounts/staff_overview.py",
}


def app_modules():
    for package in APP_PACKAGES:
        yield from sorted((PROJECT_DIR / package).rglob("*.py"))


def test_no_raw_attribute_values_outside_the_low_level_module():
    found = [
        f"{path.relative_to(PROJECT_DIR)}:{number}: {line.strip()}"
        for path in app_modules()
        if path != LOW_LEVEL_MODULE
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if RAW_ATTRIBUTE_VALUE.search(line)
    ]
    assert found == []


def test_the_pattern_finds_what_it_is_meant_to():
    for raw in ['{"S": pk}', 'item["SK"]["S"]', 'value.get("N")', 'value.get("SS", [])', '{"BOOL": True}', "['S']"]:
        assert RAW_ATTRIBUTE_VALUE.search(raw), raw
    for plain in ['item["SK"]', '{"SK": sk}', 'f"{prefix}S"', '"S3"']:
        assert not RAW_ATTRIBUTE_VALUE.search(plain), plain


def test_only_the_control_plane_uses_a_boto3_dynamodb_client():
    users = {
        str(path.relative_to(PROJECT_DIR))
        for path in app_modules()
        if re.search(r"""client\(\s*["']dynamodb["']""", path.read_text())
    }
    assert users <= CONTROL_PLANE


def test_no_pynamodb_internals_overridden():
    for model in [TableModel, *_subclasses(TableModel)]:
        assert "_get_connection" not in vars(model), model


@pytest.mark.usefixtures("aws")
def test_every_item_type_shares_the_one_connection():
    import accounts.items  # noqa: F401  (the item types, registered as TableModel's subclasses)
    import campaigns.items  # noqa: F401
    import sessions.core.items  # noqa: F401

    shared = dynamodb.connection()
    assert shared is TableModel._get_connection()
    for model in _subclasses(TableModel):
        assert model._get_connection() is shared, model
        assert "_connection" not in vars(model), model  # TableModel's, inherited


def _subclasses(model):
    for subclass in model.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)
