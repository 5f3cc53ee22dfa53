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
    """The remote areas of Luật 47/2014 art. 33(2) are data: region III communes of QĐ 861/QĐ-TTg, mapped onto the
    2025 commune codes, with the list's date and what it covers."""
    document = load_json("remote_communes.json")
    assert document["source"].startswith("Quyết định 861/QĐ-TTg")
    assert document["valid_from"] == "2021-06-04"
    assert "PARTIAL" in document["_coverage"]
    codes = [c["code"] for c in document["communes"]]
    assert len(codes) == len(set(codes)) > 0
    for commune in document["communes"]:
        assert catalog().communes[commune["code"]].name == commune["name"]
    assert catalog().is_remote("03439", date(2026, 1, 1))
    assert not catalog().is_remote("03439", date(2021, 6, 3))  # before the decision
    assert not catalog().is_remote("00166", date(2026, 1, 1))  # Phường Cầu Giấy, Hà Nội
