"""Static reference data frozen in seed_data/: administrative units, remote communes, ethnic groups, religions."""

import csv
import json
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

APP = Path(__file__).resolve().parents[1]
# An installed wheel carries seed_data/ inside the package (pyproject.toml); a checkout keeps it at the top.
SEED_DATA = next((p for p in (APP / "seed_data", APP.parent / "seed_data") if p.is_dir()), APP.parent / "seed_data")


@dataclass(frozen=True, slots=True)
class Province:
    code: str
    name: str
    short_name: str


@dataclass(frozen=True, slots=True)
class LegacyProvince:
    """One of the 63 provinces before the 2025 merger; `id_prefix` opens the personal IDs registered there."""

    code: str
    id_prefix: str
    name: str
    short_name: str
    new_province_code: str


@dataclass(frozen=True, slots=True)
class Commune:
    code: str
    province_code: str
    name: str
    short_name: str
    kind: str


@dataclass(frozen=True, slots=True)
class WeightedEntry:
    code: str
    name: str
    weight: int


def read_csv(name: str) -> list[dict[str, str]]:
    with (SEED_DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_json(name: str) -> Any:
    return json.loads((SEED_DATA / name).read_text(encoding="utf-8"))


class Catalog:
    """Read-only lookups over the reference data, loaded once per process."""

    def __init__(self) -> None:
        self.provinces = {r["code"]: Province(r["code"], r["name"], r["short_name"]) for r in read_csv("provinces.csv")}
        self.legacy_provinces = {
            r["id_prefix"]: LegacyProvince(
                r["code"], r["id_prefix"], r["name"], r["short_name"], r["new_province_code"]
            )
            for r in read_csv("provinces_legacy.csv")
        }
        self.communes = {
            r["code"]: Commune(r["code"], r["province_code"], r["name"], r["short_name"], r["kind"])
            for r in read_csv("communes.csv")
        }
        self.ethnic_groups = [
            WeightedEntry(r["code"], r["name"], int(r["weight"])) for r in read_csv("ethnic_groups.csv")
        ]
        self.religions = [WeightedEntry(r["code"], r["name"], int(r["weight"])) for r in read_csv("religions.csv")]

    @cached_property
    def ethnicity_names(self) -> dict[str, str]:
        return {e.code: e.name for e in self.ethnic_groups}

    @cached_property
    def religion_names(self) -> dict[str, str]:
        return {r.code: r.name for r in self.religions}

    @cached_property
    def remote_communes(self) -> tuple[tuple[date, date | None, frozenset[str]], ...]:
        """The dated lists of communes treated as remote areas (vùng sâu, vùng xa): from, until (inclusive), codes."""
        document = load_json("remote_communes.json")
        return tuple(
            (
                date.fromisoformat(listed["valid_from"]),
                date.fromisoformat(listed["valid_until"]) if listed["valid_until"] else None,
                frozenset(c["code"] for c in listed["communes"]),
            )
            for listed in document["lists"]
        )

    def is_remote(self, commune_code: str, on: date) -> bool:
        return any(
            valid_from <= on and (valid_until is None or on <= valid_until) and commune_code in codes
            for valid_from, valid_until, codes in self.remote_communes
        )

    def address(self, street: str, commune_code: str) -> dict[str, str]:
        """An address in the 2025 two-level structure (street, commune, province), with its one-line form."""
        commune = self.communes[commune_code]
        province = self.provinces[commune.province_code]
        return {
            "street": street,
            "commune_code": commune.code,
            "commune": commune.name,
            "province_code": province.code,
            "province": province.name,
            "formatted": f"{street}, {commune.name}, {province.name}",
        }


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    return Catalog()
