"""How the ethnic groups that do not name people the Kinh way write a name: lineage names, name patterns, given names.

Groups missing here take Kinh-style names (names.py). Hand-compiled samples of common names, not frequencies:
Thái Lò, Lường, Quàng, Cầm; Mông Giàng, Sùng, Thào, Vàng; Khơ me Thạch, Danh, Sơn, Kim; Ê-đê and Gia-rai clan
names passed down the mother's line, with Y- for men and H'- for women.
"""

from collections.abc import Mapping
from dataclasses import dataclass

KINH_MIDDLE: Mapping[str, tuple[str, ...]] = {"male": ("Văn",), "female": ("Thị",)}


@dataclass(frozen=True, slots=True)
class NameStyle:
    """`pattern[sex]` is filled with a lineage name, a middle name and a given name (an empty part disappears).

    A style without given names only brings its lineage names: the rest of the name is written the Kinh way.
    """

    lineage: tuple[str, ...]  # họ, or the clan name; () where names carry none
    middle: Mapping[str, tuple[str, ...]]
    given: Mapping[str, tuple[str, ...]] | None
    pattern: Mapping[str, str]
    matrilineal: bool = False  # children take the mother's clan name (Ê-đê, Gia-rai)


KINH_PATTERN = {"male": "{lineage} {middle} {given}", "female": "{lineage} {middle} {given}"}


def _kinh_form(*lineage: str) -> NameStyle:
    """Groups that write names as the Kinh do (surname, Văn/Thị, given name) with surnames of their own."""
    return NameStyle(lineage, {}, None, {})


_TAY_NUNG = _kinh_form("Hoàng", "Nông", "Lương", "Hà", "Ma", "Triệu", "Lục", "Bế", "Đàm", "Vi", "Lộc", "Lăng", "Mã")
_CENTRAL_HIGHLANDS_A_Y = NameStyle(  # Ba-na, Xơ-đăng, Giẻ-Triêng of Kon Tum: A- for men, Y- for women, no family name
    (),
    {"male": ("",), "female": ("",)},
    {
        "male": ("Sang", "Jar", "Pớt", "Blưm", "Hmek", "Thuôn", "Khăm", "Nhuôl", "Rin", "Dưk", "Kher", "Thương"),
        "female": ("Nhiên", "Hnim", "Hiêng", "Lúi", "Nga", "Mai", "Dương", "Ngơi", "Prang", "Bríp", "Hồng", "Gưh"),
    },
    {"male": "A {given}", "female": "Y {given}"},
)
_KOHO = NameStyle(  # Cơ-ho, Mạ, Chu-ru: K'- for men, Ka for women
    (),
    {"male": ("",), "female": ("",)},
    {
        "male": ("Brăk", "Sơn", "Đảo", "Ming", "Tiếp", "Bình", "Kră", "Tuy", "Điểu", "Hoàng"),
        "female": ("Nhung", "Hòa", "Nhiên", "Điệp", "Sương", "Liên", "Thơi", "Bi", "Tria", "Hương"),
    },
    {"male": "K'{given}", "female": "Ka {given}"},
)
_MNONG = NameStyle(  # Mnông, Xtiêng, Chơ-ro: Điểu for men, Thị for women
    (),
    {"male": ("",), "female": ("",)},
    {
        "male": ("Lên", "Bình", "Kré", "Đinh", "Brôn", "Ngọc", "Siêng", "Xuyên", "Điều", "Lam"),
        "female": ("Bích", "Hạnh", "Ngọc", "Lan", "Mai", "Nhung", "Thu", "Bé", "Hoa", "Huyền"),
    },
    {"male": "Điểu {given}", "female": "Thị {given}"},
)

STYLES: dict[str, NameStyle] = {
    "02": _TAY_NUNG,  # Tày
    "07": _TAY_NUNG,  # Nùng
    "03": NameStyle(  # Thái
        ("Lò", "Lường", "Quàng", "Cầm", "Lù", "Tòng", "Vi", "Lộc", "Hà", "Sầm", "Điêu", "Bạc", "Mè"),
        KINH_MIDDLE,
        {
            "male": ("Pánh", "Xiêng", "Ún", "Thanh", "Chăm", "Khăm", "Pấng", "Ính", "Phanh", "Tiên", "Hoan", "Sơn"),
            "female": ("Ín", "Pâng", "Xuân", "Ơn", "Xiêng", "Bun", "Ngọc", "Khăm", "Hoa", "Lả", "Ủn", "Thoa"),
        },
        KINH_PATTERN,
    ),
    "04": _kinh_form("Bùi", "Bùi", "Đinh", "Đinh", "Quách", "Hà", "Xa", "Cao", "Bạch"),  # Mường
    "05": NameStyle(  # Khơ me
        ("Thạch", "Danh", "Sơn", "Kim", "Lâm", "Chau", "Kiên", "Lý", "Huỳnh"),
        {"male": ("",), "female": ("Thị",)},
        {
            "male": ("Sa Rết", "Sô Phol", "Sóc Kha", "Phi Rum", "Pho", "Thol", "Sa Vuth", "Ri", "Chanh Đa", "Sa Ren"),
            "female": ("Sa Phia", "Sô Phal", "Sóc Khà", "Srây Mum", "Pha Ly", "Sa Rinh", "Chanh Thu", "Ni", "Đa Ra"),
        },
        KINH_PATTERN,
    ),
    "06": _kinh_form("Lâm", "Trương", "Lý", "Hứa", "Quách", "Châu", "Tăng", "Mạch", "Diệp", "Lưu", "Giang", "Vương"),
    "08": NameStyle(  # Mông
        ("Giàng", "Sùng", "Thào", "Vàng", "Lý", "Mùa", "Hầu", "Lầu", "Ly", "Má", "Tráng", "Cứ", "Hờ"),
        {"male": ("A", "Seo", "Mí", "Chẩu", "Văn"), "female": ("Thị",)},
        {
            "male": ("Páo", "Chứ", "Lử", "Dế", "Sử", "Chá", "Pó", "Tủa", "Nhè", "Dình", "Chính", "Sình", "Pháy"),
            "female": ("Mỷ", "Dợ", "Sua", "Mai", "Chở", "Ma", "Pằng", "Mua", "Xúa", "Say", "Dính", "Lan"),
        },
        KINH_PATTERN,
    ),
    "09": NameStyle(  # Dao
        ("Triệu", "Bàn", "Đặng", "Lý", "Chảo", "Phùn", "Tẩn", "Chìu"),
        {"male": ("Văn", "Tà", "Phù", "Chàn", "Láo"), "female": ("Thị", "Mùi", "Tả")},
        {
            "male": ("Seo", "Phin", "Kiềm", "Lở", "Quẩy", "Vần", "Tài", "Chiêu", "Sành", "Pham"),
            "female": ("Mẩy", "Phây", "Nái", "Liềm", "Xuân", "Chản", "Mỉn", "Dín"),
        },
        KINH_PATTERN,
    ),
    "10": NameStyle(  # Gia-rai
        ("Ksor", "Siu", "Rơ Châm", "Rơ Mah", "Nay", "Kpă", "Puih", "Rơ Lan", "Rah Lan"),
        {"male": ("",), "female": ("",)},
        {
            "male": ("Phun", "Hlach", "Bơr", "Blih", "Djek", "Thuih", "Đăm", "Kló", "Hyin", "Nhơn"),
            "female": ("Nương", "Lim", "Blơk", "Yan", "Mai", "Hiên", "Bia", "Jum", "Lê", "Lan"),
        },
        {"male": "{lineage} {given}", "female": "{lineage} H'{given}"},
        matrilineal=True,
    ),
    "11": NameStyle(  # Ê-đê
        ("Niê", "Ayun", "Mlô", "Êban", "Byă", "Adrơng", "Ksơr", "Hwing", "Knul", "Mdrang", "Êya"),
        {"male": ("",), "female": ("",)},
        {
            "male": ("Ngông", "Moan", "Khu", "Bhiăo", "Jút", "Tlang", "Blơ", "Sim", "Thoát", "Kông", "Kim"),
            "female": ("Hen", "Mai", "Linh", "Bia", "Yơn", "Ni", "Dơn", "Nga", "Ruôn", "Hiên", "Juen"),
        },
        {"male": "Y {given} {lineage}", "female": "H'{given} {lineage}"},
        matrilineal=True,
    ),
    "12": _CENTRAL_HIGHLANDS_A_Y,  # Ba-na
    "16": _CENTRAL_HIGHLANDS_A_Y,  # Xơ-đăng
    "29": _CENTRAL_HIGHLANDS_A_Y,  # Giẻ-Triêng
    "13": _kinh_form("Hoàng", "Lâm", "Trần", "Lý", "Nịnh", "Lương", "Đặng"),  # Sán Chay
    "14": _kinh_form("Đàng", "Thành", "Lộ", "Quảng", "Thiên", "Hán", "Châu", "Từ", "Báo", "Trượng", "Lưu"),  # Chăm
    "15": _KOHO,  # Cơ-ho
    "28": _KOHO,  # Mạ
    "34": _KOHO,  # Chu-ru
    "17": _kinh_form("Trần", "Lê", "Diệp", "Lý", "Tạ", "Đỗ", "Phạm", "Hoàng"),  # Sán Dìu
    "18": _kinh_form("Đinh", "Đinh", "Phạm", "Hồ"),  # Hrê
    "30": _kinh_form("Đinh", "Hồ"),  # Co
    "19": _kinh_form("Pinăng", "Chamaléa", "Katơr", "Mấu", "Bo Bo"),  # Ra-glai
    "20": _MNONG,  # Mnông
    "22": _MNONG,  # Xtiêng
    "31": _MNONG,  # Chơ-ro
    "24": _kinh_form("Hồ", "Hồ", "Lê", "Kăn"),  # Bru-Vân Kiều
    "27": _kinh_form("Hồ", "Kăn", "Căn", "Lê"),  # Tà-ôi
    "44": _kinh_form("Hồ", "Cao", "Đinh"),  # Chứt
    "25": _kinh_form("Alăng", "Bríu", "Zơrâm", "Pơloong", "Bhling", "Clâu", "Hồ"),  # Cơ-tu
    "33": _kinh_form("Lỳ", "Chu", "Phu", "Pờ", "Sừ", "Chang"),  # Hà Nhì
    "23": _kinh_form("Lò", "Vi", "Lộc", "Lữ", "Cụt", "Moong"),  # Khơ-mú
    "26": _kinh_form("Hoàng", "Lù", "Sần", "Vàng", "Lương"),  # Giáy
}
