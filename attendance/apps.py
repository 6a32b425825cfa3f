from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "attendance"
    verbose_name = "考勤与走访"

    def ready(self):
        from attendance.access import rules  # models are ready only now
        from zhucun import access

        access.register(rules())
