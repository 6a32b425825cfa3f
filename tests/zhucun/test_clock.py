"""The system's today: the real date unless a snapshot date is configured."""

import datetime

from django.utils import timezone

from zhucun import clock


def test_today_is_the_real_date_by_default(settings):
    settings.ZHUCUN_TODAY = None
    assert clock.today() == timezone.localdate()


def test_today_is_the_configured_snapshot_date(settings):
    settings.ZHUCUN_TODAY = datetime.date(2022, 12, 31)
    assert clock.today() == datetime.date(2022, 12, 31)


def test_home_counts_members_in_post_on_the_system_today(
    client, province_user, settings
):
    from tests.factories import MembershipFactory

    MembershipFactory()  # serves 2018-06-01 .. 2020-05-31
    client.force_login(province_user)
    settings.ZHUCUN_TODAY = datetime.date(2019, 6, 1)
    assert client.get("/?stay=1").context["overview"][2][1] == 1
    settings.ZHUCUN_TODAY = datetime.date(2021, 6, 1)
    assert client.get("/?stay=1").context["overview"][2][1] == 0
