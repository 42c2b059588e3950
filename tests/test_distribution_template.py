"""The CloudFront distribution as code (deploy/cloudfront/distribution.json) says what
issue 14 promises: hashed static files cached a year and immutable; everything else
forwarded and never cached; share pages and signed-in pages `no-store`, as the app sends
them; HTTPS only, HTTP/2 and 3, compression; the router function on every page behaviour
(not on static files) with the KeyValueStore it reads; and the template carries the
functions' current code (render.py)."""

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import URLResolver, get_resolver

from sessions.sharing.views import SHARE_HEADERS

ROOT = Path(__file__).resolve().parent.parent
CLOUDFRONT = ROOT / "deploy" / "cloudfront"
TEMPLATE_PATH = CLOUDFRONT / "distribution.json"
YEAR = 31536000
# AWS managed policies (their ids are fixed: CloudFront's "Use managed ... policies" pages).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df5-4b5a84be39ad"
ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"
STATIC_PATHS = {"/static/*": "app", "/_next/static/*": "v1"}
NO_STORE_PATHS = {"/share/*", "/campaigns/*", "/accounts/*", "/search/*", "/staff/*", "/preferences/*"}
# The app's pages outside those: served to anyone, their Cache-Control left to the app
# (which adds `private, no-store` whenever a page read the web session).
PUBLIC_ROUTES = {"/", "/favicon.ico", "/health/"}


@pytest.fixture(scope="module")
def template():
    return json.loads(TEMPLATE_PATH.read_text())


@pytest.fixture(scope="module")
def resources(template):
    return template["Resources"]


@pytest.fixture(scope="module")
def config(resources):
    return resources["Distribution"]["Properties"]["DistributionConfig"]


@pytest.fixture(scope="module")
def behaviours(config):
    by_path = {behaviour["PathPattern"]: behaviour for behaviour in config["CacheBehaviors"]}
    return {"*": config["DefaultCacheBehavior"], **by_path}


def policy_of(resources, reference, kind):
    resource = resources[reference["Ref"]]
    assert resource["Type"] == f"AWS::CloudFront::{kind}"
    return resource["Properties"][f"{kind}Config"]


def custom_headers(resources, behaviour):
    config = policy_of(resources, behaviour["ResponseHeadersPolicyId"], "ResponseHeadersPolicy")
    return {item["Header"]: (item["Value"], item["Override"]) for item in config["CustomHeadersConfig"]["Items"]}


def associations(behaviour):
    return {
        item["EventType"]: item["FunctionARN"]["Fn::GetAtt"][0] for item in behaviour.get("FunctionAssociations", [])
    }


def app_routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from app_routes(pattern.url_patterns, route)
        else:
            yield "/" + route


def covered_by(route, paths):
    return any(route.startswith(path.removesuffix("*")) for path in paths)


def test_the_template_carries_the_functions_current_code():
    spec = importlib.util.spec_from_file_location("cloudfront_render", CLOUDFRONT / "render.py")
    render = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(render)
    current = TEMPLATE_PATH.read_text()
    assert render.rendered_template(current) == current, "run: python deploy/cloudfront/render.py"


def test_the_functions_run_on_runtime_2_and_the_router_reads_the_key_value_store(resources):
    router = resources["RouterFunction"]["Properties"]
    cookie = resources["CohortCookieFunction"]["Properties"]
    assert router["FunctionCode"] == (CLOUDFRONT / "router.js").read_text()
    assert cookie["FunctionCode"] == (CLOUDFRONT / "cohort-cookie.js").read_text()
    for function in (router, cookie):
        assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
        assert function["AutoPublish"] is True
    assert resources["CohortStore"]["Type"] == "AWS::CloudFront::KeyValueStore"
    assert router["FunctionConfig"]["KeyValueStoreAssociations"] == [
        {"KeyValueStoreARN": {"Fn::GetAtt": ["CohortStore", "Arn"]}}
    ]
    assert "KeyValueStoreAssociations" not in cookie["FunctionConfig"]


def test_the_origins_are_the_ones_the_router_selects(config):
    source = (CLOUDFRONT / "router.js").read_text()
    selected = set(re.findall(r"var (?:APP|V1)_ORIGIN = '([^']+)';", source))
    origins = {origin["Id"]: origin for origin in config["Origins"]}
    assert set(origins) == selected == {"app", "v1"}
    assert origins["app"]["DomainName"] == {"Ref": "AppOriginDomain"}
    assert origins["v1"]["DomainName"] == {"Ref": "V1OriginDomain"}
    for origin in origins.values():
        assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
        assert origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]


def test_hashed_static_files_are_cached_a_year_and_immutable(resources, behaviours):
    for path, origin in STATIC_PATHS.items():
        behaviour = behaviours[path]
        assert behaviour["TargetOriginId"] == origin
        cache = policy_of(resources, behaviour["CachePolicyId"], "CachePolicy")
        assert (cache["MinTTL"], cache["DefaultTTL"], cache["MaxTTL"]) == (YEAR, YEAR, YEAR)
        key = cache["ParametersInCacheKeyAndForwardedToOrigin"]
        assert key["CookiesConfig"] == {"CookieBehavior": "none"}
        assert key["QueryStringsConfig"] == {"QueryStringBehavior": "none"}
        forwarded = policy_of(resources, behaviour["OriginRequestPolicyId"], "OriginRequestPolicy")
        assert forwarded["CookiesConfig"] == {"CookieBehavior": "none"}, "no session reaches a static file"
        assert custom_headers(resources, behaviour) == {"Cache-Control": (f"public, max-age={YEAR}, immutable", True)}
        assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
        assert associations(behaviour) == {}, "static files are not routed by cohort"


def test_everything_else_is_forwarded_to_the_router_and_never_cached(behaviours):
    routed = {path: behaviour for path, behaviour in behaviours.items() if path not in STATIC_PATHS}
    assert set(routed) == {"*"} | NO_STORE_PATHS
    for path, behaviour in routed.items():
        assert behaviour["CachePolicyId"] == CACHING_DISABLED, path
        # The viewer's Host too: both stacks answer for the site's own name.
        assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER, path
        assert set(behaviour["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
        assert associations(behaviour) == {
            "viewer-request": "RouterFunction",
            "viewer-response": "CohortCookieFunction",
        }, path
        assert behaviour["TargetOriginId"] == "v1", "unrouted, a request goes to the stack that served everyone"


def test_error_answers_are_not_cached_either(config):
    """By default CloudFront may keep an origin's 4xx or 5xx for 10 s (its error caching
    minimum TTL): one stack's error could then answer a visitor of the other."""
    codes = {answer["ErrorCode"]: answer["ErrorCachingMinTTL"] for answer in config["CustomErrorResponses"]}
    assert codes == dict.fromkeys([400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504], 0)
    assert not any("ResponsePagePath" in answer for answer in config["CustomErrorResponses"]), "each stack's own pages"


def test_share_pages_and_signed_in_pages_are_no_store_as_the_app_sends_them(resources, behaviours):
    for path in NO_STORE_PATHS:
        assert custom_headers(resources, behaviours[path]) == {"Cache-Control": (SHARE_HEADERS["Cache-Control"], True)}
    assert "ResponseHeadersPolicyId" not in behaviours["*"], "the rest keeps each stack's own Cache-Control"
    uncovered = {route for route in app_routes() if not covered_by(route, NO_STORE_PATHS | set(STATIC_PATHS))}
    assert uncovered == PUBLIC_ROUTES


def test_https_only_with_http2_and_3_and_compression(config, behaviours):
    assert config["HttpVersion"] == "http2and3"
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert config["ViewerCertificate"]["SslSupportMethod"] == "sni-only"
    for path, behaviour in behaviours.items():
        assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https", path
        assert behaviour["Compress"] is True, path


def test_the_outputs_name_the_distribution_and_the_key_value_store(template):
    outputs = template["Outputs"]
    assert outputs["DistributionDomainName"]["Value"] == {"Fn::GetAtt": ["Distribution", "DomainName"]}
    assert outputs["KeyValueStoreArn"]["Value"] == {"Fn::GetAtt": ["CohortStore", "Arn"]}


def test_comments_fit_cloudfronts_128_characters(template):
    def comments(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "Comment" and isinstance(value, str):
                    yield value
                yield from comments(value)
        elif isinstance(node, list):
            for item in node:
                yield from comments(item)

    assert all(len(comment) <= 128 for comment in comments(template))


def cfn_lint_runs():
    """cfn-lint is not a dependency: used where an operator has it (a pyenv shim alone is not)."""
    if shutil.which("cfn-lint") is None:
        return False
    return subprocess.run(["cfn-lint", "--version"], capture_output=True, timeout=60, check=False).returncode == 0


@pytest.mark.skipif(not cfn_lint_runs(), reason="cfn-lint is not installed (optional)")
def test_cfn_lint_finds_nothing():
    result = subprocess.run(["cfn-lint", str(TEMPLATE_PATH)], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
