from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboards"
    verbose_name = "看板与工作台"

    def ready(self):
        from attendance.rollups import FollowUp, after_rollup
        from dashboards.summaries import place_summary_refresh

        @after_rollup
        def refresh_place_summaries() -> FollowUp:
            summary = place_summary_refresh()
            return FollowUp(
                rows=summary.counties,
                message=f"{summary.year}年县级看板汇总：{summary.counties}个县"
                f"（{summary.seconds:.2f}秒）",
            )
