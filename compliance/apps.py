from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "compliance"
    verbose_name = "合规检查"

    def ready(self):
        from compliance.access import rules  # models are ready only now
        from zhucun import access

        access.register(rules())
