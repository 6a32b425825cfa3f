from django.apps import AppConfig


class ZhucunConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhucun"
    verbose_name = "系统"
