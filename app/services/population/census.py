"""The reference population the generator imitates: the 2019 census (seed_data/census_2019*.{json,csv})."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from app.services.population.draws import Weighted
from app.services.reference import load_json, read_csv

OLDEST = 95


@dataclass(frozen=True, slots=True)
class AgeBand:
    first: int
    last: int
    percent: float
    males_per_100_females: float

    @property
    def male_share(self) -> float:
        return self.males_per_100_females / (100 + self.males_per_100_females)


@dataclass(frozen=True, slots=True)
class CensusProvince:
    """One of the 63 provinces of 2019, known by the prefix its personal IDs open with."""

    id_prefix: str
    population: int
    rural_form: str  # what a village is called there: thôn, xóm, ấp, bản
    ethnic_percent: dict[str, float]  # ethnicity code → percent; Kinh takes the rest

    def ethnicities(self) -> Weighted[str]:
        kinh = 100 - sum(self.ethnic_percent.values())
        return Weighted([("01", kinh), *self.ethnic_percent.items()])


@dataclass(frozen=True, slots=True)
class Census:
    age_bands: tuple[AgeBand, ...]
    household_sizes: dict[int, float]  # size → percent of households
    provinces: tuple[CensusProvince, ...]

    def band_of(self, age: int) -> AgeBand:
        return next(b for b in self.age_bands if b.first <= age <= b.last) if age <= OLDEST else self.age_bands[-1]

    def ages(self, share: Callable[[int], float]) -> Weighted[int]:
        """Single years of age weighted as the census pyramid has them, times `share(age)`."""
        return Weighted(
            [
                (age, share(age) * band.percent / (band.last - band.first + 1))
                for age in range(OLDEST + 1)
                if (band := self.band_of(age))
            ]
        )


@cache
def census_2019() -> Census:
    document = load_json("census_2019.json")
    bands = tuple(AgeBand(b["from"], b["to"], b["percent"], b["males_per_100_females"]) for b in document["age_bands"])
    provinces = tuple(
        CensusProvince(
            r["id_prefix"],
            int(r["population"]),
            r["rural_form"],
            {code: float(share) for code, share in (pair.split(":") for pair in r["ethnic_groups"].split())},
        )
        for r in read_csv("census_2019_provinces.csv")
    )
    sizes = {int(size): share for size, share in document["household_sizes_percent"].items()}
    return Census(bands, sizes, provinces)
