from django.apps import AppConfig


class ZhucunConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhucun"
    verbose_name = "系统"

    def ready(self):
        from zhucun.access import Rule, path_rule, register

        register(
            {
                "zhucun.userscope": Rule(region=path_rule("region__path")),
                # Import jobs are read by their owner only (zhucun/workbooks/jobs.py).
                "zhucun.importjob": Rule(),
                # API tokens are listed and revoked by their owner only
                # (zhucun/api_tokens.py).
                "zhucun.apitoken": Rule(),
            }
        )
