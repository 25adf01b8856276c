"""Schemathesis hooks for user-auth (loaded through SCHEMATHESIS_HOOKS)."""

import schemathesis

# Refusals of a well-formed request that depend on what is stored or on the number itself,
# not on the request's shape (each is documented on its operation).
SEMANTIC = {
    "phone_invalid",  # well formed, but not a number libphonenumber knows to receive texts
    "otp_wrong",
    "otp_used_up",
    "otp_expired",
    "invite_code_unknown",
    "invite_code_own",
    "invite_cycle",
    "invite_already_entered",
    "invite_code_full",
    "invitation_unknown",
    "phone_unchanged",
    "phone_taken",
    "email_unchanged",
    "link_invalid",
    "link_expired",
    "last_owner",
    "account_blocked",
    "unauthorized",
}


@schemathesis.check
def only_semantic_refusals(ctx, response, case):
    """A schema-valid request is refused only for what the schema cannot say."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if response.status_code not in (401, 403, 404, 409, 422):
        return None
    try:
        code = response.json().get("code")
    except Exception:  # noqa: BLE001 - a refusal without a problem document is a failure too
        code = None
    if code not in SEMANTIC:
        raise AssertionError(
            f"a request the schema allows was refused with {response.status_code} `{code}`"
        )
    return None
