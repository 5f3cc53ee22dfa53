"""Street lines of generated addresses: house numbers on streets in towns, villages (thôn, xóm, ấp, bản …) elsewhere."""

from app.services.population.draws import Draws

# Where a group lives in its own villages, the village is named its way whatever the province's usual word.
ETHNIC_VILLAGE = {
    **dict.fromkeys(("03", "08", "09", "23", "26", "32", "33", "35", "36", "37", "39", "40", "42", "46"), "bản"),
    **dict.fromkeys(("11", "20"), "buôn"),  # Ê-đê, Mnông
    **dict.fromkeys(("10", "12", "16", "29", "52", "53"), "làng"),  # Gia-rai, Ba-na, Xơ-đăng, Giẻ-Triêng …
    "05": "phum-sóc",  # Khơ me
}
VILLAGE_NAMES = {
    "thôn": (
        "Đông",
        "Tây",
        "Nam",
        "Bắc",
        "Trung",
        "Thượng",
        "Hạ",
        "Đông Hạ",
        "An Lạc",
        "Phú Mỹ",
        "Tân Lập",
        "Đồng Tâm",
    ),
    "xóm": ("Đình", "Chùa", "Giữa", "Trại", "Mới", "Đồng", "Bến", "Cầu", "Núi", "Chợ", "Rừng", "Bãi"),
    "ấp": ("Tân Lợi", "Phú Hòa", "Bình An", "Mỹ Thuận", "Long Hưng", "Hòa Thạnh", "Tân Phú", "An Thới", "Thạnh Lợi"),
    "bản": ("Nà Sản", "Huổi Lếch", "Pá Khoang", "Co Muông", "Nậm Cúm", "Hua Pe", "Na Hay", "Phiêng Ban", "Sín Chải"),
    "buôn": ("Ko Tam", "Ea Kmát", "Ea Bông", "Kô Siêr", "Dhă Prông", "Cuôr Knia", "Trấp", "Jun", "Ako Dhông", "Sứk"),
    "làng": ("Plei Ốp", "Plei Ring", "Kon Klor", "Kon Tu Rằng", "Đăk Rơ Wa", "Plei Kép", "Plei Tơ Nghia", "Kon Hra"),
    "phum-sóc": ("Sóc Xoài", "Sóc Tro", "Phum Thom", "Sóc Ruộng", "Sóc Vồ", "Phum Soài Chét", "Sóc Pro Tiên"),
}
PREFIX = {"thôn": "Thôn", "xóm": "Xóm", "ấp": "Ấp", "bản": "Bản", "buôn": "Buôn", "làng": "Làng", "phum-sóc": ""}
NUMBERED = ("thôn", "xóm", "ấp")  # villages in the plains are often numbered: "Thôn 3", "Ấp 5"


def town_street(draws: Draws, streets: list[str]) -> str:
    return f"Số {draws.randint(1, 300)} {draws.choice(('đường', 'phố', 'ngõ'))} {draws.choice(streets)}"


def village(draws: Draws, province_form: str, ethnicity: str) -> str:
    form = ETHNIC_VILLAGE.get(ethnicity, province_form)
    if form in NUMBERED and draws.random() < 0.5:
        return f"{PREFIX[form]} {draws.randint(1, 12)}"
    return f"{PREFIX[form]} {draws.choice(VILLAGE_NAMES[form])}".strip()
