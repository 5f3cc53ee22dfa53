"""Vietnamese names in Vietnamese order (surname + middle + given), consistent with sex.

Faker's vi_VN provider writes names in Western order and mixes in honorifics ("Cô", "Bà"), so this
provider replaces it. Weights are rough shares of Vietnamese surnames and of common given names.
"""

import unicodedata
from bisect import bisect
from collections.abc import Sequence
from functools import cache
from itertools import accumulate
from typing import Protocol, TypeVar

from faker.providers import BaseProvider

from app.services.population.ethnic_names import STYLES

SURNAMES: dict[str, float] = {
    "Nguyễn": 38.4,
    "Trần": 11.0,
    "Lê": 9.5,
    "Phạm": 7.1,
    "Hoàng": 3.0,
    "Huỳnh": 2.1,
    "Phan": 4.5,
    "Vũ": 2.0,
    "Võ": 1.9,
    "Đặng": 2.1,
    "Bùi": 2.0,
    "Đỗ": 1.4,
    "Hồ": 1.3,
    "Ngô": 1.3,
    "Dương": 1.0,
    "Lý": 0.5,
    "Đinh": 0.8,
    "Trương": 0.8,
    "Đào": 0.6,
    "Đoàn": 0.6,
    "Lâm": 0.5,
    "Mai": 0.5,
    "Trịnh": 0.5,
    "Cao": 0.4,
    "Lương": 0.4,
    "Hà": 0.4,
    "Tạ": 0.3,
    "Tô": 0.3,
    "Nông": 0.3,
    "Vương": 0.2,
    "Chu": 0.2,
    "Lại": 0.2,
    "Thái": 0.2,
    "Châu": 0.2,
    "Triệu": 0.2,
    "Kiều": 0.1,
    "Quách": 0.1,
    "La": 0.1,
    "Từ": 0.1,
    "Lò": 0.1,
    "Hứa": 0.1,
}
TRADITIONAL_MIDDLE = {"male": "Văn", "female": "Thị"}
MIDDLE_NAMES = {
    "male": (
        "Hữu",
        "Đức",
        "Minh",
        "Quang",
        "Thanh",
        "Công",
        "Xuân",
        "Ngọc",
        "Hoàng",
        "Anh",
        "Tuấn",
        "Gia",
        "Bảo",
        "Đình",
        "Trọng",
        "Thế",
        "Quốc",
        "Mạnh",
        "Duy",
        "Tiến",
        "Thành",
        "Hải",
        "Việt",
        "Nhật",
    ),
    "female": (
        "Ngọc",
        "Thu",
        "Thanh",
        "Minh",
        "Hồng",
        "Kim",
        "Phương",
        "Thùy",
        "Bảo",
        "Khánh",
        "Mai",
        "Diệu",
        "Bích",
        "Hoài",
        "Hải",
        "Lan",
        "Quỳnh",
        "Tuyết",
        "Mỹ",
        "Thúy",
        "Ánh",
        "Như",
        "Gia",
        "Tú",
    ),
}
GIVEN_NAMES = {
    "male": (
        "An",
        "Anh",
        "Bảo",
        "Bình",
        "Cường",
        "Dũng",
        "Duy",
        "Đạt",
        "Đức",
        "Giang",
        "Hải",
        "Hiếu",
        "Hoàng",
        "Hùng",
        "Huy",
        "Hưng",
        "Khang",
        "Khánh",
        "Khoa",
        "Kiên",
        "Lâm",
        "Long",
        "Lộc",
        "Luân",
        "Minh",
        "Nam",
        "Nghĩa",
        "Nhân",
        "Phát",
        "Phong",
        "Phúc",
        "Quân",
        "Quang",
        "Sơn",
        "Tài",
        "Tâm",
        "Thành",
        "Thắng",
        "Thịnh",
        "Toàn",
        "Trí",
        "Trung",
        "Tuấn",
        "Tùng",
        "Việt",
        "Vinh",
        "Vũ",
        "Hậu",
        "Hiệp",
        "Thông",
    ),
    "female": (
        "An",
        "Anh",
        "Châu",
        "Chi",
        "Dung",
        "Diệp",
        "Giang",
        "Hà",
        "Hạnh",
        "Hằng",
        "Hiền",
        "Hoa",
        "Hồng",
        "Hương",
        "Huyền",
        "Lan",
        "Linh",
        "Loan",
        "Ly",
        "Mai",
        "My",
        "Nga",
        "Ngân",
        "Ngọc",
        "Nhung",
        "Oanh",
        "Phương",
        "Quyên",
        "Quỳnh",
        "Tâm",
        "Thảo",
        "Thu",
        "Thủy",
        "Trang",
        "Trâm",
        "Tuyết",
        "Uyên",
        "Vân",
        "Vy",
        "Xuân",
        "Yến",
        "Nhi",
        "Thư",
        "Hân",
        "Châm",
        "Lụa",
    ),
}
_SURNAME_POOL = tuple(SURNAMES)
_SURNAME_CUM_WEIGHTS = tuple(accumulate(SURNAMES.values()))

T = TypeVar("T")


class RandomSource(Protocol):
    """What names draw from: a `random.Random`, or the generator's faster equivalent of one."""

    def random(self) -> float: ...

    def choice(self, seq: Sequence[T]) -> T: ...


def _traditional_middle_share(birth_year: int) -> float:
    """ "Văn" / "Thị" dominate older generations and fade in younger ones."""
    if birth_year < 1970:
        return 0.7
    if birth_year < 1990:
        return 0.45
    return 0.15


class VietnameseNameProvider(BaseProvider):
    """Faker provider: `fake.vietnamese_surname()`, `fake.vietnamese_full_name("female", 1995)`."""

    def vietnamese_surname(self) -> str:
        return pick_surname(self.generator.random)

    def vietnamese_full_name(self, sex: str, birth_year: int, surname: str | None = None) -> str:
        rng = self.generator.random
        return compose_name(rng, sex, birth_year, surname or pick_surname(rng))


def pick_surname(rng: RandomSource) -> str:
    # What `rng.choices(_SURNAME_POOL, cum_weights=_SURNAME_CUM_WEIGHTS)[0]` draws, without building a list.
    return _SURNAME_POOL[
        bisect(_SURNAME_CUM_WEIGHTS, rng.random() * _SURNAME_CUM_WEIGHTS[-1], 0, len(_SURNAME_POOL) - 1)
    ]


def compose_name(rng: RandomSource, sex: str, birth_year: int, surname: str) -> str:
    if rng.random() < _traditional_middle_share(birth_year):
        middle = TRADITIONAL_MIDDLE[sex]
    else:
        middle = rng.choice(MIDDLE_NAMES[sex])
    return f"{surname} {middle} {rng.choice(GIVEN_NAMES[sex])}"


def ascii_fold(text: str) -> str:
    """ "Nguyễn Đức" → "nguyen duc", for e-mail local parts."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


@cache
def mail_name(full_name: str) -> str:
    """ "Nguyễn Đức Anh" → "nguyen.duc.anh"; cached, as a few thousand names recur across a million people."""
    return ascii_fold(full_name).replace(" ", ".")


def fold_name(name: str) -> str:
    """Compare names regardless of case, Unicode form (NFC/NFD) and spacing, never of letters or accents."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def pick_lineage(rng: RandomSource, ethnicity: str) -> str:
    """A family (or clan) name of the group; "" where the group's names carry none."""
    style = STYLES.get(ethnicity)
    if style is None:
        return pick_surname(rng)
    return rng.choice(style.lineage) if style.lineage else ""


def compose_ethnic_name(rng: RandomSource, ethnicity: str, sex: str, birth_year: int, lineage: str) -> str:
    """A full name as the person's ethnic group writes it; Kinh form for groups without a style of their own."""
    style = STYLES.get(ethnicity)
    if style is None or style.given is None:
        return compose_name(rng, sex, birth_year, lineage)
    given = rng.choice(style.given[sex])
    name = style.pattern[sex].format(lineage=lineage, middle=rng.choice(style.middle[sex]), given=given)
    return " ".join(name.split())


def is_matrilineal(ethnicity: str) -> bool:
    style = STYLES.get(ethnicity)
    return style is not None and style.matrilineal
