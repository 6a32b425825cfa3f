from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assessments"
    verbose_name = "考核与培训"

    def ready(self):
        from assessments.access import rules  # models are ready only now
        from zhucun import access

        access.register(rules())
