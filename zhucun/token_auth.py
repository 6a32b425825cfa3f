"""The token endpoints (the tokens themselves: zhucun/api_tokens.py).

POST /api/v1/auth/token/          username + password (+ optional name) -> a new token
GET /api/v1/auth/tokens/          the user's own live tokens, without the secret
DELETE /api/v1/auth/tokens/<id>/  revoke one of them
"""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from zhucun.api_tokens import api_token_issue, api_token_list, api_token_revoke
from zhucun.models import ApiToken


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名", help_text="登录用户名")
    password = serializers.CharField(
        label="密码",
        help_text="登录密码",
        style={"input_type": "password"},
        trim_whitespace=False,
    )
    name = serializers.CharField(
        label="名称",
        help_text="令牌用途，便于在令牌列表中辨认（可不填）",
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
    )


class TokenSerializer(serializers.ModelSerializer):
    """A token as its owner sees it: never the secret."""

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at"]
        read_only_fields = fields


class TokenView(APIView):
    """Issue a new token on every good login. Failures count towards the lockout."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        summary="获取 API 令牌",
        description="用用户名和密码换取一个新令牌，之后以 `Authorization: Token <令牌>` "
        "访问接口。每次登录签发一个新令牌；令牌到期、被撤销、账号停用或密码修改后失效。"
        "令牌只在此时显示一次。连续多次失败后该用户名在该地址被暂时锁定。",
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse",
                {
                    "token": serializers.CharField(),
                    "id": serializers.IntegerField(),
                    "name": serializers.CharField(),
                    "prefix": serializers.CharField(),
                    "expires_at": serializers.DateTimeField(),
                },
            ),
            400: OpenApiResponse(description="用户名或密码错误"),
            429: OpenApiResponse(description="失败次数过多，已暂时锁定"),
        },
        auth=[],
        tags=["认证"],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The plain HttpRequest goes to authenticate() so that django-axes counts the
        # failure and its middleware turns a lockout into the lockout response.
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if getattr(request._request, "axes_locked_out", False):
            return Response(
                {
                    "code": "locked_out",
                    "message": _("登录失败次数过多，账号已暂时锁定，请1小时后再试。"),
                    "fields": {},
                },
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None or not user.is_active:
            return Response(
                {
                    "code": "invalid_credentials",
                    "message": _("用户名或密码错误。"),
                    "fields": {},
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        token, key = api_token_issue(user=user, name=serializer.validated_data["name"])
        return Response(
            {
                "token": key,
                "id": token.pk,
                "name": token.name,
                "prefix": token.prefix,
                "expires_at": serializers.DateTimeField().to_representation(
                    token.expires_at
                ),
            }
        )


class TokenListView(APIView):
    """The signed-in user's own live tokens."""

    @extend_schema(
        summary="我的 API 令牌",
        description="当前用户仍有效的令牌（不含令牌本身，只有前缀）。",
        responses={200: TokenSerializer(many=True)},
        tags=["认证"],
    )
    def get(self, request):
        tokens = api_token_list(user=request.user)
        return Response(TokenSerializer(tokens, many=True).data)


class TokenDetailView(APIView):
    """Revoke one of the signed-in user's tokens."""

    @extend_schema(
        summary="撤销 API 令牌",
        description="撤销当前用户自己的一个令牌；他人的令牌答 404。",
        responses={204: None},
        tags=["认证"],
    )
    def delete(self, request, pk: int):
        api_token_revoke(acting_user=request.user, token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
