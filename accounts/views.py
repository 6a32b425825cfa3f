"""User management pages: the province for every role, a county for its townships' staff."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.services import user_provision
from zhucun.access import scoped, user_scope
from zhucun.models import UserScope
from zhucun.roles import may_manage_users


class UserForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("用户名"), max_length=150)
    full_name = forms.CharField(
        label=gettext_lazy("姓名"), max_length=30, required=False
    )
    role = forms.ChoiceField(label=gettext_lazy("角色"), choices=UserScope.Role.choices)
    scope = forms.CharField(
        label=gettext_lazy("管辖范围"),
        max_length=128,
        help_text=gettext_lazy(
            "行政区划代码（如 513431、乡镇9位代码），或单位、机关工委名称"
        ),
    )
    password = forms.CharField(
        label=gettext_lazy("初始密码"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=gettext_lazy(
            "至少10位，不能全是数字；修改已有账号时留空表示不改密码"
        ),
    )

    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        scope = user_scope(manager)
        if not manager.is_superuser and scope and scope.role == UserScope.Role.COUNTY:
            self.fields["role"].choices = [
                (UserScope.Role.TOWNSHIP.value, UserScope.Role.TOWNSHIP.label)
            ]


@login_required
def user_list(request):
    """Accounts the manager may see, with the form to add one."""
    if not may_manage_users(request.user):
        raise PermissionDenied
    form = UserForm(request.POST or None, manager=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, created = user_provision(
                username=data["username"],
                role=data["role"],
                scope=data["scope"],
                password=data["password"] or None,
                full_name=data["full_name"],
                by=request.user,
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc}
            for field, messages_ in errors.items():
                form.add_error(field if field in form.fields else None, messages_)
        else:
            verb = _("已创建") if created else _("已更新")
            messages.success(
                request, _("%(verb)s账号 %(name)s。") % {"verb": verb, "name": user}
            )
            return redirect("user-list")
    scopes = scoped(
        request.user,
        UserScope.objects.select_related(
            "user", "region", "unit", "work_committee"
        ).order_by("role", "user__username"),
    )
    if (
        not request.user.is_superuser
        and user_scope(request.user).role == UserScope.Role.COUNTY
    ):
        scopes = scopes.filter(role=UserScope.Role.TOWNSHIP)
    page = Paginator(scopes, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/user_list.html",
        {"page": page, "form": form},
    )
