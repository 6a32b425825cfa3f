"""API tokens: issued per login, stored as a SHA-256, expiring, revocable.

A token stops working when it expires (``ZHUCUN_TOKEN_TTL_DAYS``), when it is
revoked, when the account is deactivated and when the password changes, by
whatever path: the token keeps the user's session hash of the day it was issued,
and the authentication compares it on every request.

This module imports no DRF view: DRF imports the authentication class while it
loads its own views.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from zhucun.audit import audit_record
from zhucun.models import ApiToken

# The prefix shown in the list: enough to tell tokens apart, useless to guess one.
PREFIX_LENGTH = 8
# last_used_at is written at most once per this interval, not on every request.
_LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_ttl() -> datetime.timedelta:
    """How long a new token lives (setting ZHUCUN_TOKEN_TTL_DAYS)."""
    return datetime.timedelta(days=settings.ZHUCUN_TOKEN_TTL_DAYS)


@transaction.atomic
def api_token_issue(*, user, name: str = "") -> tuple[ApiToken, str]:
    """Issue a new token for the user; return it and its secret (shown only once)."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=_digest(key),
        prefix=key[:PREFIX_LENGTH],
        session_hash=user.get_session_auth_hash(),
        expires_at=timezone.now() + token_ttl(),
    )
    audit_record(
        action="create",
        instance=token,
        changes={"name": name, "expires_at": token.expires_at.isoformat()},
        user=user,
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, acting_user, token_id: int) -> ApiToken:
    """Revoke one of the acting user's own tokens (another's is 404)."""
    token = get_object_or_404(
        ApiToken.objects.select_for_update(),
        pk=token_id,
        user=acting_user,
        revoked_at__isnull=True,
    )
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        action="update",
        instance=token,
        changes={"revoked_at": [None, token.revoked_at.isoformat()]},
        user=acting_user,
    )
    return token


def api_token_list(*, user) -> list[ApiToken]:
    """The user's own tokens that still work, newest first."""
    tokens = ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    current = user.get_session_auth_hash()
    return [t for t in tokens if secrets.compare_digest(t.session_hash, current)]


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` against the stored hashes; 401 when it is dead."""

    def authenticate_credentials(self, key):
        try:
            token = ApiToken.objects.select_related("user").get(key_hash=_digest(key))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed(
                _("令牌无效，请重新获取。"), code="token_invalid"
            ) from None
        user = token.user
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("令牌已被撤销，请重新获取。"), code="token_revoked"
            )
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                _("令牌已过期，请重新获取。"), code="token_expired"
            )
        if not user.is_active:
            raise exceptions.AuthenticationFailed(
                _("账号已停用，令牌已失效。"), code="token_revoked"
            )
        if not secrets.compare_digest(token.session_hash, user.get_session_auth_hash()):
            raise exceptions.AuthenticationFailed(
                _("密码已修改，令牌已失效，请重新获取。"), code="token_revoked"
            )
        if token.last_used_at is None or now - token.last_used_at > (
            _LAST_USED_RESOLUTION
        ):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token
