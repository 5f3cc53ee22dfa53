"""Reference data as the standards have it: the codes the population API returns."""

from datetime import date

import pytest

from app.services.reference import catalog, load_json

# QĐ 1019/QĐ-TCTK (12/11/2008), the GSO list that QCVN 109:2017/BTTTT (Phụ lục E) uses for ethnicity.
QD_1019_SAMPLES = {
    "01": "Kinh",
    "02": "Tày",
    "03": "Thái",
    "04": "Mường",
    "05": "Khơ me",
    "06": "Hoa",
    "07": "Nùng",
    "08": "Mông",
    "09": "Dao",
    "10": "Gia-rai",
    "11": "Ê-đê",
    "12": "Ba-na",
    "13": "Sán Chay",
    "14": "Chăm",
    "20": "Mnông",
    "29": "Giẻ-Triêng",
    "43": "Ngái",
    "47": "Cơ Lao",
    "54": "Ơ Đu",
}


@pytest.mark.parametrize(("code", "name"), QD_1019_SAMPLES.items())
def test_ethnicity_codes_follow_qd_1019_tctk(code: str, name: str) -> None:
    assert catalog().ethnicity_names[code] == name


def test_there_are_54_ethnic_groups_coded_01_to_54_in_order() -> None:
    codes = [group.code for group in catalog().ethnic_groups]
    assert codes == [f"{n:02d}" for n in range(1, 55)]
    assert len(set(catalog().ethnicity_names.values())) == 54


def test_old_misspellings_are_gone() -> None:
    names = set(catalog().ethnicity_names.values())
    assert not names & {"Gié Triêng", "Co Lao", "Khơ Me"}


def test_remote_communes_are_2025_communes_with_a_dated_source() -> None:
    """The remote areas of Luật 47/2014 art. 33(2) are data: region III communes of the provinces' 2026-2030
    classifications (Nghị định 272/2025/NĐ-CP), each list with its decision, where it was read and its dates."""
    document = load_json("remote_communes.json")
    assert "PARTIAL" in document["_coverage"]
    codes = [c["code"] for listed in document["lists"] for c in listed["communes"]]
    assert len(codes) == len(set(codes)) > 0
    for listed in document["lists"]:
        assert listed["source"].startswith("Quyết định")
        assert listed["read_at"].startswith("http")
        for commune in listed["communes"]:
            assert catalog().communes[commune["code"]].province_code == listed["province_code"]
            assert catalog().communes[commune["code"]].name == commune["name"]
    assert catalog().is_remote("03439", date(2026, 1, 16))  # Xã Thu Lũm: QĐ 113/QĐ-UBND Lai Châu of 16/01/2026
    assert not catalog().is_remote("03439", date(2026, 1, 15))  # before the decision
    assert not catalog().is_remote("03439", date(2031, 1, 1))  # after the 2026-2030 period
    assert catalog().is_remote("03158", date(2026, 6, 1))  # Xã Sín Thầu, Điện Biên (region III, QĐ 46/QĐ-UBND)
    assert not catalog().is_remote("03253", date(2026, 6, 1))  # Xã Tuần Giáo: region II
    assert not catalog().is_remote("01273", date(2026, 6, 1))  # Phường Thục Phán, Cao Bằng: region I
    assert len([c for c in codes if catalog().communes[c].province_code == "04"]) == 53  # of Cao Bằng's 56
    assert not catalog().is_remote("00166", date(2026, 6, 1))  # Phường Cầu Giấy, Hà Nội
