"""Fixed lists the demo draws its names from: places, people, phone numbers."""

import random

# Syllables of place names. Liangshan's places carry Yi syllables, Ganzi's and Aba's
# Tibetan ones; the rest of the province gets common Han place-name characters.
HAN_PLACE = (
    "安白宝碧长城川大德东峨丰凤福高古观广和河红洪华黄金锦井九"
    "乐黎莲林龙隆鹿马茂梅明南宁平坪普青清庆泉仁瑞三沙山石双水"
    "顺太滩桃天铁通桐万望文五西溪仙祥新兴杏秀燕阳杨永玉元云枣"
    "中竹紫柏松桥槐荷湾岭坝沟垭"
)
YI_PLACE = "阿尔布拖觉洛哈甘瓦吉日莫史沙马比其乃拉达勒则木普格依四开竹核解放"
TIBETAN_PLACE = "色达甲卡拉扎多嘎邦日岗隆塘措曲雅江木朗仁贡洛巴德格尼若康定呷"

HAN_SURNAMES = (
    "王李张刘陈杨罗黄周吴何赵谢唐邓冯曾彭蒋胡杜徐袁余苏向付任叶雷"
    "郭林高马朱梁宋许韩曹肖田董潘蔡程魏吕丁沈姚卢钟谭廖贾夏范熊"
)
# The commoner surnames come first and are drawn more often.
HAN_SURNAME_WEIGHTS = [max(1, 40 - i) for i in range(len(HAN_SURNAMES))]
MALE_GIVEN = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林洋亮成建国峰文海东志春兵川"
)
FEMALE_GIVEN = "芳娟敏静丽艳娜霞秀玲燕琴红梅莉兰萍婷雪琳晶慧颖倩洁丹蓉佳欣悦"
YI_SURNAMES = (
    "吉克",
    "阿苏",
    "沙马",
    "俄木",
    "曲比",
    "阿侯",
    "马海",
    "吉木",
    "海来",
    "勒格",
    "阿约",
    "日火",
    "吉伍",
    "瓦扎",
    "木乃",
    "倮伍",
    "莫色",
    "立布",
)
YI_GIVEN_MALE = ("尔古", "木呷", "伍沙", "石者", "约哈", "曲者", "拉且", "子哈", "洛布")
YI_GIVEN_FEMALE = ("阿呷", "史惹", "日哈", "衣色", "阿牛", "依木", "有格", "阿支")
TIBETAN_MALE = ("扎西", "次仁", "多吉", "格桑", "泽仁", "尼玛", "洛绒", "降措", "四郎")
TIBETAN_FEMALE = ("拉姆", "卓玛", "央金", "益西", "曲珍", "泽郎", "邓珠", "措姆")

PHONE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 157 158 159 "
    "177 180 181 182 183 187 188 189 198 199"
).split()


class Namer:
    """Draws names from the fixed lists with the seed's generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def place(self, culture: str, taken: set[str], suffixes: tuple[str, ...]) -> str:
        """A two-syllable place name with one of ``suffixes``, not yet in ``taken``."""
        syllables = {"yi": YI_PLACE, "tibetan": TIBETAN_PLACE}.get(culture, HAN_PLACE)
        rng = self.rng
        for attempt in range(1000):
            # Long names on the rare retry: three syllables always leave room.
            count = 2 if attempt < 50 else 3
            name = "".join(rng.choice(syllables) for _ in range(count))
            name += rng.choice(suffixes)
            if name not in taken:
                taken.add(name)
                return name
        raise RuntimeError("place names exhausted")

    def person(self, culture: str, gender: str) -> str:
        rng = self.rng
        male = gender == "M"
        if culture == "yi" and rng.random() < 0.6:
            given = YI_GIVEN_MALE if male else YI_GIVEN_FEMALE
            return rng.choice(YI_SURNAMES) + rng.choice(given)
        if culture == "tibetan" and rng.random() < 0.6:
            pool = TIBETAN_MALE if male else TIBETAN_FEMALE
            return rng.choice(pool) + rng.choice(pool)
        surname = rng.choices(HAN_SURNAMES, HAN_SURNAME_WEIGHTS)[0]
        chars = MALE_GIVEN if male else FEMALE_GIVEN
        length = 2 if rng.random() < 0.7 else 1
        return surname + "".join(rng.choice(chars) for _ in range(length))

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"


def culture_of(county_code: str) -> str:
    """Which name lists fit a county: Liangshan Yi, Ganzi/Aba Tibetan, else Han."""
    if county_code.startswith("5134"):
        return "yi"
    if county_code.startswith(("5132", "5133")):
        return "tibetan"
    return "han"
