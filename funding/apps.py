from django.apps import AppConfig


class FundingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "funding"
    verbose_name = "工作经费"

    def ready(self):
        from funding.access import rules  # models are ready only now
        from zhucun import access

        access.register(rules())
