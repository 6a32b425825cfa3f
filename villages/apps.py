from django.apps import AppConfig


class VillagesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "villages"
    verbose_name = "区划与贫困村"

    def ready(self):
        from villages.access import rules  # models are ready only now
        from zhucun import access

        access.register(rules())
