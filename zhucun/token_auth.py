"""POST /api/v1/auth/token/: exchange a username and password for an API token."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名", help_text="登录用户名")
    password = serializers.CharField(
        label="密码",
        help_text="登录密码",
        style={"input_type": "password"},
        trim_whitespace=False,
    )


class TokenView(APIView):
    """Return the user's token, creating it on first use. Failures count towards the lockout."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        summary="获取 API 令牌",
        description="用用户名和密码换取令牌，之后以 `Authorization: Token <令牌>` 访问接口。"
        "连续多次失败后该用户名在该地址被暂时锁定。",
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
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
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
