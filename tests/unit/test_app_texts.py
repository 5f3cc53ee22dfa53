"""The web pages' texts: every page area says everything in both languages, and no key belongs to two areas."""

from collections import Counter

from app.web.app_texts import APP_TEXTS, AREAS


def test_every_area_has_the_same_keys_in_vietnamese_and_english() -> None:
    for area in AREAS:
        assert set(area["vi"]) == set(area["en"])


def test_no_key_is_defined_in_two_areas() -> None:
    counts = Counter(key for area in AREAS for key in area["vi"])
    assert [key for key, n in counts.items() if n > 1] == []
    assert len(APP_TEXTS["vi"]) == sum(counts.values())
