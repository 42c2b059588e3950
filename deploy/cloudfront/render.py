"""Inline the CloudFront Functions' code into the distribution's template.

CloudFormation takes a function's code as a string in the template (FunctionCode), while
the code is kept, and unit-tested, as JavaScript files beside it. This rewrites
distribution.json with each function's current file; everything else in the template is
edited by hand and kept as it is.

    python deploy/cloudfront/render.py           # rewrite distribution.json
    python deploy/cloudfront/render.py --check   # exit 1 if it is out of date (tests do this)
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "distribution.json"
# Template resource -> the file holding its code.
FUNCTION_SOURCES = {"RouterFunction": "router.js", "CohortCookieFunction": "cohort-cookie.js"}


def rendered_template(template_text: str) -> str:
    template = json.loads(template_text)
    for resource, source in FUNCTION_SOURCES.items():
        template["Resources"][resource]["Properties"]["FunctionCode"] = (HERE / source).read_text()
    return json.dumps(template, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    current = TEMPLATE.read_text()
    rendered = rendered_template(current)
    if "--check" in argv:
        if rendered != current:
            print(f"{TEMPLATE.name} is out of date: run python deploy/cloudfront/render.py", file=sys.stderr)
            return 1
        return 0
    TEMPLATE.write_text(rendered)
    print(f"wrote {TEMPLATE.name} with {', '.join(FUNCTION_SOURCES.values())} inlined")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
