"""The Lambda package as Zappa builds it from zappa_settings.json, with Zappa's own code."""

from pathlib import Path

from zappa.cli import ZappaCLI

ROOT = Path(__file__).resolve().parent.parent
HOST = "campaign-sessions.example"


def zappa_cli(stage="production"):
    cli = ZappaCLI()
    cli.api_stage = stage
    cli.load_settings(str(ROOT / "zappa_settings.json"))
    return cli


def packaged_zappa_settings(stage="production"):
    """The settings module `zappa package` writes into the zip."""
    return zappa_cli(stage).get_zappa_settings_string()


def stage_config(stage):
    """The stage as Zappa itself resolves it (with `extends`)."""
    cli = ZappaCLI()
    cli.api_stage = stage
    cli.load_settings_file(str(ROOT / "zappa_settings.json"))
    return cli.stage_config


def api_gateway_event(method, path, *, headers=None, body=None, proto="https"):
    headers = {
        "Host": HOST,
        "X-Forwarded-Proto": proto,
        "X-Forwarded-Port": "443",
        "X-Forwarded-For": "203.0.113.7",
        "Accept": "text/html",
        **(headers or {}),
    }
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "body": body,
        "isBase64Encoded": False,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/production{path}",
            "stage": "production",
            "requestId": "test",
            "identity": {"sourceIp": "203.0.113.7"},
        },
    }
