"""create_user USERNAME --role ROLE --scope SCOPE [--password P] [--email E]."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zhucun.audit import audit_context
from zhucun.models import UserScope
from zhucun.services import user_provision


class Command(BaseCommand):
    help = "创建或更新一个用户账号（角色 + 管辖范围）；重复运行即更新。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=UserScope.Role.values)
        parser.add_argument(
            "--scope",
            required=True,
            help="行政区划代码（510000、513400、513431、乡镇代码），或单位/机关工委名称",
        )
        parser.add_argument("--password")
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="姓名")

    def handle(self, *args, username, role, scope, password, email, name, **options):
        try:
            with audit_context(source="command"):
                user, created = user_provision(
                    username=username,
                    role=role,
                    scope=scope,
                    password=password,
                    email=email,
                    full_name=name,
                )
        except ValidationError as exc:
            messages = (
                [
                    f"{field}: {msg}"
                    for field, msgs in exc.message_dict.items()
                    for msg in msgs
                ]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            raise CommandError("；".join(messages)) from None
        verb = "已创建" if created else "已更新"
        self.stdout.write(
            f"{verb}用户 {user.username}（{UserScope.Role(role).label}，{scope}）"
        )
