"""Development-only code: the local run (`manage.py runlocal`, the embedded moto) and its
demo data. Installed only when APP_ENV is not production (campaigns_site.settings) and
left out of the Lambda package (zappa_settings.json, scripts/build-lambda); no app
imports it (an import-linter contract in pyproject.toml).
"""
