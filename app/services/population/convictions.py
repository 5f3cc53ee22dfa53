"""Generated convictions: the penal code in force on the judgment date, and expungement as BLHS 2015 art. 70 sets it."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.services.population.dates import birthday
from app.services.population.draws import Draws

ADULT = 18
# Penal codes by the day they took effect. Before 1986 Việt Nam had no penal code (ordinances), so no generated
# judgment is older. Each code: offence key → (its name in that code, article).
PENAL_CODES: tuple[tuple[date, str, dict[str, tuple[str, int]]], ...] = (
    (
        date(1986, 1, 1),
        "Bộ luật Hình sự 1985",
        {
            "theft": ("Trộm cắp tài sản của công dân", 155),
            "injury": ("Cố ý gây thương tích hoặc gây tổn hại cho sức khỏe của người khác", 109),
            "fraud": ("Lừa đảo chiếm đoạt tài sản của công dân", 157),
            "gambling": ("Đánh bạc", 200),
            "traffic": ("Vi phạm các quy định về an toàn giao thông vận tải", 186),
        },
    ),
    (
        date(2000, 7, 1),
        "Bộ luật Hình sự 1999",
        {
            "theft": ("Trộm cắp tài sản", 138),
            "injury": ("Cố ý gây thương tích hoặc gây tổn hại cho sức khỏe của người khác", 104),
            "fraud": ("Lừa đảo chiếm đoạt tài sản", 139),
            "gambling": ("Đánh bạc", 248),
            "traffic": ("Vi phạm quy định về điều khiển phương tiện giao thông đường bộ", 202),
            "drugs": ("Tàng trữ, vận chuyển, mua bán trái phép hoặc chiếm đoạt chất ma túy", 194),
        },
    ),
    (
        date(2018, 1, 1),
        "Bộ luật Hình sự 2015",
        {
            "theft": ("Trộm cắp tài sản", 173),
            "injury": ("Cố ý gây thương tích", 134),
            "fraud": ("Lừa đảo chiếm đoạt tài sản", 174),
            "gambling": ("Đánh bạc", 321),
            "traffic": ("Vi phạm quy định về tham gia giao thông đường bộ", 260),
            "drugs": ("Tàng trữ trái phép chất ma túy", 249),
        },
    ),
)
FIRST_JUDGMENT = PENAL_CODES[0][0]
FINES = {"Bộ luật Hình sự 1985": "1.000.000", "Bộ luật Hình sự 1999": "5.000.000", "Bộ luật Hình sự 2015": "20.000.000"}


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str  # "{fine}" is the fine of the code's era
    months: int  # served (or on probation) for this long; a fine is paid within a few months
    wait_years: int  # BLHS 2015 art. 70(2): years without a new offence before the record is cleared


# Art. 70(2): 1 year after a warning, a fine, non-custodial reform or a suspended sentence (counted from the end of
# probation); 2 years after up to 5 years in prison; 3 years after 5 to 15 years. Nghị quyết 41/2017/QH14 applies
# these periods to older judgments too, as they favour the convicted. Art. 71 (expungement by a court decision)
# covers offences the generator does not draw.
SENTENCES = (
    Sentence("Phạt tiền {fine} đồng", 3, 1),
    Sentence("Cải tạo không giam giữ 1 năm", 12, 1),
    Sentence("12 tháng tù cho hưởng án treo, thời gian thử thách 24 tháng", 24, 1),
    Sentence("9 tháng tù", 9, 2),
    Sentence("2 năm tù", 24, 2),
    Sentence("3 năm tù", 36, 2),
    Sentence("7 năm tù", 84, 3),
)


def draw_conviction(draws: Draws, birth: date, judged_before: date, as_of: date, court: str) -> dict[str, Any]:
    """One judgment between the person's 18th birthday (or 1986) and `judged_before`, and its state on `as_of`."""
    earliest = max(birthday(birth, ADULT), FIRST_JUDGMENT)
    judged = earliest + timedelta(days=draws.below(max(1, (judged_before - earliest).days)))
    code_name, offences = next((name, o) for start, name, o in reversed(PENAL_CODES) if start <= judged)
    offence, article = offences[draws.choice(sorted(offences))]
    sentence = draws.choice(SENTENCES)
    completed = judged + timedelta(days=sentence.months * 365 // 12)
    cleared = birthday(completed, sentence.wait_years)
    return {
        "judgment_number": f"{draws.randint(1, 450)}/{judged.year}/HS-ST",
        "judgment_date": judged,
        "court": court,
        "offence": offence,
        "article": f"Điều {article} {code_name}",
        "sentence": sentence.text.format(fine=FINES[code_name]),
        "sentence_completed_on": completed if completed < as_of else None,
        "expunged": cleared < as_of,
        "expunged_on": cleared if cleared < as_of else None,
    }
