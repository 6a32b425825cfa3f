from django.apps import AppConfig


class TeamsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "teams"
    verbose_name = "单位、干部与工作队"

    def ready(self):
        from teams.access import rules  # models are ready only now
        from zhucun import access

        access.register(rules())
