"""Which summarizer runs: SUMMARY_PROVIDER and the Bedrock settings, as an operator sets them."""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from sessions.summaries.summarizers import get_summarizer
from sessions.summaries.summarizers.bedrock import BedrockSummarizer
from sessions.summaries.summarizers.offline import OfflineSummarizer

PROJECT_DIR = Path(__file__).resolve().parent.parent

# Prints the summary settings as the app reads them from the environment.
SHOW_SETTINGS = """
import django
from django.conf import settings
django.setup()
print(settings.SUMMARY_PROVIDER, settings.BEDROCK_MODEL_ID, settings.BEDROCK_REGION,
      settings.BEDROCK_PRICE_INPUT_PER_1K, settings.BEDROCK_PRICE_OUTPUT_PER_1K,
      settings.BEDROCK_CHUNK_TOKENS, settings.BEDROCK_MAX_ATTEMPTS)
"""


def run(args, env, tmp_path):
    """Python in the project directory with only `env` (plus PATH and HOME): nothing leaks in."""
    full_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "APP_ENV": "local",
        "ORM_CACHE_PATH": str(tmp_path / "orm.sqlite3"),
        "DJANGO_SETTINGS_MODULE": "campaigns_site.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, *args], cwd=PROJECT_DIR, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_offline_is_the_default(settings):
    settings.SUMMARY_PROVIDER = "offline"

    assert isinstance(get_summarizer(), OfflineSummarizer)


def test_bedrock_is_built_from_its_settings(settings):
    settings.SUMMARY_PROVIDER = "bedrock"
    settings.BEDROCK_MODEL_ID = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
    settings.BEDROCK_REGION = "us-west-2"
    settings.BEDROCK_CHUNK_TOKENS = 50_000
    settings.BEDROCK_MAX_ATTEMPTS = 3
    settings.BEDROCK_PRICE_INPUT_PER_1K = Decimal("0.0008")
    settings.BEDROCK_PRICE_OUTPUT_PER_1K = Decimal("0.004")

    summarizer = get_summarizer()

    assert isinstance(summarizer, BedrockSummarizer)
    assert (summarizer.model_id, summarizer.region, summarizer.chunk_tokens, summarizer.max_attempts) == (
        "us.anthropic.claude-3-5-haiku-20241022-v1:0",
        "us-west-2",
        50_000,
        3,
    )
    assert (summarizer.price_input_per_1k, summarizer.price_output_per_1k) == (Decimal("0.0008"), Decimal("0.004"))


def test_an_unknown_provider_set_behind_the_settings_back_is_refused(settings):
    settings.SUMMARY_PROVIDER = "gpt"

    with pytest.raises(ImproperlyConfigured, match="SUMMARY_PROVIDER"):
        get_summarizer()


def test_defaults_from_an_empty_environment(tmp_path):
    result = run(["-c", SHOW_SETTINGS], {}, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["offline", "amazon.nova-lite-v1:0", "None", "0.00006", "0.00024", "100000", "6"]


def test_production_defaults_to_bedrock(tmp_path):
    from tests.fresh_processes import PRODUCTION

    result = run(["-c", SHOW_SETTINGS], PRODUCTION, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "bedrock"


def test_production_may_still_choose_the_offline_summarizer(tmp_path):
    from tests.fresh_processes import PRODUCTION

    result = run(["-c", SHOW_SETTINGS], {**PRODUCTION, "SUMMARY_PROVIDER": "offline"}, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "offline"


def test_the_environment_sets_every_summary_setting(tmp_path):
    env = {
        "SUMMARY_PROVIDER": "bedrock",
        "BEDROCK_MODEL_ID": "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-pro-v1:0",
        "BEDROCK_REGION": "eu-west-1",
        "BEDROCK_PRICE_INPUT_PER_1K": "0.0008",
        "BEDROCK_PRICE_OUTPUT_PER_1K": "0.0032",
        "BEDROCK_CHUNK_TOKENS": "60000",
        "BEDROCK_MAX_ATTEMPTS": "4",
    }

    result = run(["-c", SHOW_SETTINGS], env, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["bedrock", env["BEDROCK_MODEL_ID"], "eu-west-1", "0.0008", "0.0032", "60000", "4"]


@pytest.mark.parametrize(
    "variable, value",
    [
        ("SUMMARY_PROVIDER", "gpt"),
        ("BEDROCK_MODEL_ID", "model id with spaces"),
        ("BEDROCK_REGION", "mars"),
        ("BEDROCK_PRICE_INPUT_PER_1K", "cheap"),
        ("BEDROCK_PRICE_OUTPUT_PER_1K", "-1"),
        ("BEDROCK_CHUNK_TOKENS", "500"),
        ("BEDROCK_MAX_ATTEMPTS", "0"),
    ],
)
def test_a_bad_summary_setting_stops_start_up_with_one_line_naming_it(variable, value, tmp_path):
    result = run(["manage.py", "check"], {variable: value}, tmp_path)

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith(f"Configuration error: {variable}")
