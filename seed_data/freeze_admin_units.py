"""Regenerate the frozen administrative-unit files in seed_data/ from the `vietnamadminunits` package.

The package (MIT, see LICENSE-vietnamadminunits.txt) carries the official GSO codes of the 34 provinces
and 3,321 communes in force since 1 July 2025, the 63 pre-2025 provinces, and which old provinces merged
into which new one. The sandbox reads only the CSV files written here, so the package (which pulls in
shapely and numpy) is never a runtime dependency.

    python -m venv /tmp/vau && /tmp/vau/bin/pip install vietnamadminunits==1.0.4
    /tmp/vau/bin/python seed_data/freeze_admin_units.py
"""

import csv
import json
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

from vietnamadminunits.database import query

HERE = Path(__file__).parent


def write_csv(name: str, header: list[str], rows: list[tuple]) -> None:
    with (HERE / name).open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(sorted(rows))
    print(f"{name}: {len(rows)} rows")


def main() -> None:
    provinces = query("SELECT DISTINCT provinceCode, province, provinceShort, provinceKey FROM admin_units")
    key_to_new_code = {p["provinceKey"]: p["provinceCode"] for p in provinces}
    write_csv(
        "provinces.csv",
        ["code", "name", "short_name"],
        [(p["provinceCode"], p["province"], p["provinceShort"]) for p in provinces],
    )
    write_csv(
        "communes.csv",
        ["code", "province_code", "name", "short_name", "kind"],
        [
            (w["wardCode"], w["provinceCode"], w["ward"], w["wardShort"], w["wardType"])
            for w in query("SELECT DISTINCT wardCode, provinceCode, ward, wardShort, wardType FROM admin_units")
        ],
    )
    merged_into = json.loads(files("vietnamadminunits").joinpath("data/converter_2025.json").read_text())
    legacy_key_to_new_code = {
        legacy: key_to_new_code[new] for new, legacies in merged_into["DICT_PROVINCE"].items() for legacy in legacies
    }
    legacy = query("SELECT DISTINCT provinceCode, province, provinceShort, provinceKey FROM admin_units_legacy")
    write_csv(
        "provinces_legacy.csv",
        ["code", "id_prefix", "name", "short_name", "new_province_code"],
        [
            (
                p["provinceCode"],
                "0" + p["provinceCode"],
                p["province"],
                p["provinceShort"],
                legacy_key_to_new_code[p["provinceKey"]],
            )
            for p in legacy
        ],
    )
    print(f"frozen from vietnamadminunits {version('vietnamadminunits')}")


if __name__ == "__main__":
    main()
