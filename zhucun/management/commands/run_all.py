"""run_all [--addrport 127.0.0.1:8000] [--concurrency 2]: web, worker and beat together."""

import sys
import threading
import time
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.management.commands.demo_accounts import (
    accounts_table,
    demo_role_accounts,
)
from zhucun.runner import Program, Supervisor


class Command(BaseCommand):
    help = "同时运行网页服务、Celery worker 和 Celery beat；按 Ctrl-C 一起停止。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--addrport", default="127.0.0.1:8000", help="网页服务监听地址与端口"
        )
        parser.add_argument(
            "--concurrency", type=int, default=2, help="Celery worker 并发进程数"
        )
        parser.add_argument(
            "--noreload", action="store_true", help="代码修改后不自动重启网页服务"
        )

    def handle(self, *args, addrport, concurrency, noreload, **options):
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        runserver = [python, manage, "runserver", addrport]
        if noreload:
            runserver.append("--noreload")
        programs = [
            Program("web", runserver),
            Program(
                "worker",
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "zhucun",
                    "worker",
                    "--loglevel=INFO",
                    f"--concurrency={concurrency}",
                    "--hostname=zhucun@%h",
                ],
            ),
            Program(
                "beat",
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "zhucun",
                    "beat",
                    "--loglevel=INFO",
                ],
            ),
        ]
        host, _, port = addrport.rpartition(":")
        url = f"http://{host or '127.0.0.1'}:{port}/"
        # The probe goes to the loopback address, which ALLOWED_HOSTS lets in.
        probe = f"http://127.0.0.1:{port}/healthz"
        supervisor = Supervisor(
            programs,
            cwd=str(settings.BASE_DIR),
            out=self.stdout,
            on_started=lambda: _announce_when_ready(supervisor, url, probe),
        )
        code = supervisor.run()
        if code:
            raise CommandError(f"有进程异常退出（退出码 {code}）。", returncode=code)


def _announce_when_ready(supervisor: Supervisor, url: str, probe: str) -> None:
    """Print the address and the demo accounts once the web server answers."""

    # No proxy: a proxy from the environment must not answer for localhost.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def wait_then_print():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with opener.open(probe, timeout=2):
                    break
            except OSError:  # URLError and HTTPError (503 while starting) are OSErrors
                time.sleep(0.5)
        else:
            supervisor.write(f"[run_all] {probe} 在 120 秒内没有应答。\n")
            return
        supervisor.write(
            f"\n驻村工作队管理系统已启动：{url}\n"
            "演示账号（仅供演示，正式环境请删除或修改密码）：\n"
            f"{accounts_table(demo_role_accounts())}\n"
            "按 Ctrl-C 停止网页服务、worker 和 beat。\n\n"
        )

    threading.Thread(target=wait_then_print, daemon=True).start()
