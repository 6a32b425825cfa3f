"""create_user USERNAME --role ROLE --scope SCOPE [--password P] [--email E]."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services import user_provision
from zhucun.audit import audit_context
from zhucun.models import UserScope

# The service names fields in English; the command line answers in Chinese.
FIELD_LABELS = {
    "username": "用户名",
    "role": "角色",
    "scope": "管辖范围",
    "password": "密码",
    "email": "电子邮箱",
}


def chinese_messages(exc: ValidationError) -> str:
    """A refusal of the service as one Chinese line, each message under its field."""
    if not hasattr(exc, "error_dict"):
        return "；".join(exc.messages)
    return "；".join(
        f"{FIELD_LABELS.get(field, field)}：{message}"
        for field, messages in exc.message_dict.items()
        for message in messages
    )


class Command(BaseCommand):
    help = "创建或更新一个用户账号（角色 + 管辖范围）；重复运行即更新。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名")
        # Checked in handle(), so that a missing or unknown role is told in Chinese.
        parser.add_argument("--role", help="角色：" + " ".join(UserScope.Role.values))
        parser.add_argument(
            "--scope",
            help="行政区划代码（510000、513400、513431、乡镇代码），或单位/机关工委名称",
        )
        parser.add_argument("--password", help="初始密码")
        parser.add_argument("--email", default="", help="电子邮箱")
        parser.add_argument("--name", default="", help="姓名")

    def handle(self, *args, username, role, scope, password, email, name, **options):
        if not role:
            raise CommandError(
                f"请用 --role 指定角色，可选：{' '.join(UserScope.Role.values)}。"
            )
        if not scope:
            raise CommandError(
                "请用 --scope 指定管辖范围：行政区划代码，或单位、机关工委名称。"
            )
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
            raise CommandError(chinese_messages(exc)) from None
        verb = "已创建" if created else "已更新"
        self.stdout.write(
            f"{verb}用户 {user.username}（{UserScope.Role(role).label}，{scope}）"
        )
