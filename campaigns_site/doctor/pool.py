"""The user pool: what `provision` makes (campaigns_site/provision.py, ensure_user_pool)."""

from django.conf import settings

from campaigns_site import aws, provision
from campaigns_site.doctor import fail, ok, skip

PROVISION = "Run `manage.py provision`"


def pool_checks():
    cognito = aws.client("cognito-idp")
    pool_id = provision.find_user_pool(cognito, settings.COGNITO_USER_POOL_NAME)
    if not pool_id:
        yield fail(
            "user pool exists",
            f"no pool named {settings.COGNITO_USER_POOL_NAME}",
            f"{PROVISION}, or set COGNITO_USER_POOL_ID.",
        )
        return
    try:
        pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    except cognito.exceptions.ResourceNotFoundException:
        yield fail("user pool exists", f"no pool {pool_id}", "Set COGNITO_USER_POOL_ID to the deployment's pool.")
        return
    yield ok("user pool exists", f"{pool.get('Name')} ({pool_id})")
    yield check_password_policy(pool.get("Policies", {}).get("PasswordPolicy", {}))
    yield check_app_client(provision.find_app_client(cognito, pool_id))
    yield check_staff_group(cognito, pool_id)
    yield check_domain(cognito, pool, domain=settings.COGNITO_DOMAIN)


def check_password_policy(policy):
    differences = [
        f"{key} {policy.get(key)!r} (wanted {value!r})"
        for key, value in provision.PASSWORD_POLICY.items()
        if policy.get(key) != value
    ]
    if differences:
        return fail(
            "pool password policy",
            "; ".join(differences),
            "Set it in the console (User pool > Sign-in > Password policy) as provision.PASSWORD_POLICY says.",
        )
    return ok("pool password policy", f"at least {policy['MinimumLength']} characters")


def check_app_client(client):
    if client is None:
        return fail(
            "pool app client",
            f"no app client {settings.COGNITO_APP_CLIENT_ID or provision.APP_CLIENT_NAME}",
            f"{PROVISION}, and set COGNITO_APP_CLIENT_ID to the id it prints.",
        )
    flows, wanted = sorted(client.get("ExplicitAuthFlows", [])), sorted(provision.APP_CLIENT_AUTH_FLOWS)
    if flows != wanted:
        return fail(
            "pool app client flows",
            f"{', '.join(flows) or 'none'}; sign-in needs exactly {', '.join(wanted)}",
            f"aws cognito-idp update-user-pool-client --client-id {client['ClientId']} "
            f"--explicit-auth-flows {' '.join(wanted)} (and keep its other settings)",
        )
    return ok("pool app client flows", ", ".join(flows))


def check_staff_group(cognito, pool_id):
    try:
        cognito.get_group(GroupName=provision.STAFF_GROUP, UserPoolId=pool_id)
    except cognito.exceptions.ResourceNotFoundException:
        return fail(
            "pool staff group",
            f"no group {provision.STAFF_GROUP}: nobody can reach the staff pages",
            f"{PROVISION} (creates it), then add the operators to it.",
        )
    return ok("pool staff group", provision.STAFF_GROUP)


def check_domain(cognito, pool, *, domain):
    if not domain:
        return skip("pool domain", "COGNITO_DOMAIN not set (no hosted UI)")
    # A prefix domain is named by its prefix; a custom domain by its whole name.
    suffix = f".auth.{settings.AWS_REGION}.amazoncognito.com"
    name = domain.removesuffix(suffix)
    description = cognito.describe_user_pool_domain(Domain=name).get("DomainDescription", {})
    if description.get("UserPoolId") != pool["Id"]:
        return fail(
            "pool domain",
            f"{domain} is not a domain of pool {pool['Id']}",
            "Create it (deploy/README.md, 'the hosted UI door') or unset COGNITO_DOMAIN.",
        )
    return ok("pool domain", f"{domain} ({description.get('Status', '?')})")
