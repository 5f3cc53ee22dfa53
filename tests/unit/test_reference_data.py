"""Reference data as the standards have it: the codes the population API returns."""

import pytest

from app.services.reference import catalog

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
