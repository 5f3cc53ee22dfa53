"""The synthetic population: deterministic households shaped like the 2019 census (census.py), drawn from pools.

Everything is drawn from one `random.Random` seeded with VNEID_SEED, in a fixed order, and ages are
computed against a fixed reference date, so the same seed yields byte-identical citizens on any
machine and any day. Pools (street names) are built once with Faker, then sampled with plain
`random` calls: calling Faker per field is far too slow for a million citizens.

A household is placed in a 2019 province drawn by its population, then in a commune of the 2025 province
that province merged into; its ethnic group is drawn from that province's mix. Household sizes come from
the census; children's ages from its pyramid, and parents' and grandparents' ages from their children's.
Old couples often lost the husband (families.py), so that over 60 there are 75 men per 100 women as in the census.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from faker import Faker

from app.services.population.addresses import town_street, village
from app.services.population.cards import draw_card_issued_on
from app.services.population.census import OLDEST, census_2019
from app.services.population.convictions import draw_conviction
from app.services.population.dates import age_on, birthday, id_card_expiry
from app.services.population.draws import Draws, Weighted, weighted
from app.services.population.families import (
    RELATION_CHILD,
    RELATION_HEAD,
    RELATION_PARENT,
    RELATION_SPOUSE,
    Person,
    link_family,
    widow,
)
from app.services.population.names import (
    VietnameseNameProvider,
    compose_ethnic_name,
    is_matrilineal,
    mail_name,
    pick_lineage,
)
from app.services.population.personal_id import compose_personal_id
from app.services.reference import Catalog

# The population is generated "as of" this date, whatever today is, so a seed means the same people.
REFERENCE_DATE = date(2026, 1, 1)
STREET_POOL_SIZE = 600
ACCOUNT_MIN_AGE = 14
# Electronic identification accounts exist from Nghị định 59/2022/NĐ-CP (05/09/2022, in force 20/10/2022; plo.vn,
# "Những ai sẽ được cấp tài khoản định danh điện tử", 09/2022): no one who died before then had one.
ACCOUNTS_FROM = date(2022, 10, 20)
URBAN_WEIGHT = 2  # a phường holds about twice a xã's people: 34 % of people live in towns (census 2019)
BLOOD_TYPES = (("O", 42), ("B", 30), ("A", 21), ("AB", 7))
MOBILE_PREFIXES = tuple(  # mobile networks' prefixes (Viettel, Mobifone, Vinaphone, Vietnamobile…)
    "032 033 034 035 036 037 038 039 056 058 070 076 077 078 079 081 "
    "082 083 084 085 086 088 089 090 091 093 094 096 097 098 099".split()
)
BIG_CITIES = ("01", "79", "48", "31", "92")  # where most people with a temporary residence live
# Who lives without a partner after 60 is mostly a widow: women outlive their husbands, who are also older than
# them (census 2019: 75 men per 100 women over 60). A sandbox estimate, tuned so that ratio holds.
LONE_ELDER_MALE_SHARE = 0.25
# Grown children (25 and over) still in their parents' household are more often sons: daughters move to their
# husband's family (patrilocal residence). A sandbox estimate; it keeps the overall census ratio (99 men per 100
# women), which the widows above would otherwise lower.
ADULT_CHILD_MALE_SHARE, ADULT_CHILD_FROM = 0.7, 25
ELDER_AGE = 60


@dataclass(slots=True)
class GeneratedHousehold:
    household: dict[str, Any]
    citizens: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    convictions: list[dict[str, Any]] = field(default_factory=list)


def child_at_home(age: int) -> float:
    """The share of people of an age who live in their parents' household (a sandbox estimate, not census data)."""
    return 1.0 if age < 18 else 0.9 if age < 20 else 0.7 if age < 25 else 0.45 if age < 30 else 0.2 if age < 35 else 0


class PopulationGenerator:
    """Yields households until `target` citizens exist; IDs in `reserved_ids` (the personas') are never drawn."""

    def __init__(self, seed: int, catalog: Catalog, reserved_ids: set[str], password_hash: str) -> None:
        fake = Faker("vi_VN")
        fake.seed_instance(seed)
        fake.add_provider(VietnameseNameProvider)
        self.draws = Draws(fake.random)
        self.catalog = catalog
        self.password_hash = password_hash
        self.used_ids = set(reserved_ids)
        self.streets = sorted({fake.street_name() for _ in range(STREET_POOL_SIZE)})
        census = census_2019()
        self.places = Weighted([(p.id_prefix, p.population) for p in census.provinces])
        self.rural_forms = {p.id_prefix: p.rural_form for p in census.provinces}
        self.place_ethnicities = {p.id_prefix: p.ethnicities() for p in census.provinces}
        communes: dict[str, list[tuple[str, float]]] = {}
        for code in sorted(catalog.communes):
            commune = catalog.communes[code]
            communes.setdefault(commune.province_code, []).append((code, 1 if commune.kind == "Xã" else URBAN_WEIGHT))
        self.communes_of = {
            prefix: Weighted(communes[legacy.new_province_code]) for prefix, legacy in catalog.legacy_provinces.items()
        }
        self.commune_codes = sorted(catalog.communes)
        self.big_city_communes = [c for c in self.commune_codes if catalog.communes[c].province_code in BIG_CITIES]
        self.household_sizes = Weighted(sorted(census.household_sizes.items()))
        self.child_ages = census.ages(child_at_home)
        self.adult_ages = census.ages(lambda age: 0 if age < 18 else 1 - child_at_home(age))
        self.male_share = [census.band_of(age).male_share for age in range(OLDEST + 1)]
        self.religions = weighted(catalog.religions)
        self.blood_types = Weighted(BLOOD_TYPES)

    def households(self, target: int) -> Iterator[GeneratedHousehold]:
        created = 0
        sequence = 0
        while created < target:
            sequence += 1
            generated = self._household(sequence, target - created)
            created += len(generated.citizens)
            yield generated

    # -- one household --------------------------------------------------------------------------------------

    def _household(self, sequence: int, room: int) -> GeneratedHousehold:
        draws = self.draws
        home = self.places.pick(draws)
        commune_code = self.communes_of[home].pick(draws)
        ethnicity = self.place_ethnicities[home].pick(draws)
        if self.catalog.communes[commune_code].kind == "Xã":
            street = village(draws, self.rural_forms[home], ethnicity)
        else:
            street = town_street(draws, self.streets)
        code = f"HG{sequence:010d}"
        members = self._members(min(room, self.household_sizes.pick(draws)), home, ethnicity)
        generated = GeneratedHousehold(
            {"code": code, "head_personal_id": "", "street": street, "commune_code": commune_code}
        )
        religion = self.religions.pick(draws)
        for person in members:
            person.row = self._citizen(
                person, code, street, commune_code, religion if draws.random() < 0.9 else self.religions.pick(draws)
            )
            generated.citizens.append(person.row)
        link_family(members)
        generated.household["head_personal_id"] = members[0].row["personal_id"]
        court = f"Tòa án nhân dân {self.catalog.legacy_provinces[home].name}"
        for person in members:
            self._maybe_account(person, generated)
            if person.age >= 18 and draws.random() < 0.012:
                conviction = draw_conviction(draws, person.birth, person.died or REFERENCE_DATE, REFERENCE_DATE, court)
                generated.convictions.append({"personal_id": person.row["personal_id"], **conviction})
        return generated

    def _members(self, size: int, home: str, ethnicity: str) -> list[Person]:
        """Head first, then spouse, children and the head's parents, with consistent ages, names and places."""
        draws = self.draws
        if size == 1:
            age = self.adult_ages.pick(draws)
            return [
                self._person(self._sex(age, alone=True), age, RELATION_HEAD, ethnicity, self._lineage(ethnicity), home)
            ]
        single_parent = draws.random() < 0.12
        grandparents = 0
        if size >= 4 and draws.random() < 0.3:
            grandparents = 2 if size >= 5 and draws.random() < 0.6 else 1
        children = size - grandparents - (1 if single_parent else 2)
        if children:
            # One child's age from the pyramid, then siblings a few years apart: younger or older, as it falls.
            ages = [self.child_ages.pick(draws)]
            for _ in range(children - 1):
                gap = draws.randint(1, 5)
                younger = min(ages) - gap
                ages.append(younger if younger >= 0 and draws.random() < 0.5 else max(ages) + gap)
            mother_age = min(OLDEST - 10, max(ages) + draws.randint(20, 36))
        else:
            ages, mother_age = [], self.adult_ages.pick(draws)
        father_age = min(OLDEST - 5, max(20, mother_age + draws.randint(-1, 6)))  # men marry from 20, women 18
        matrilineal = is_matrilineal(ethnicity)
        head_male = draws.random() < (0.25 if single_parent else 0.8)
        head = self._person(
            "male" if head_male else "female",
            father_age if head_male else mother_age,
            RELATION_HEAD,
            ethnicity,
            self._lineage(ethnicity),
            home,
        )
        members = [head]
        if not single_parent:
            spouse_ethnicity = ethnicity if draws.random() < 0.9 else self.place_ethnicities[home].pick(draws)
            members.append(
                self._person(
                    "female" if head_male else "male",
                    mother_age if head_male else father_age,
                    RELATION_SPOUSE,
                    spouse_ethnicity,
                    self._lineage(spouse_ethnicity),
                    home,
                )
            )
        # Children carry the lineage (and quê quán) of their father, or of their mother in matrilineal groups.
        carrier = next((m for m in members if (m.sex == "female") == matrilineal), head)
        for age in ages:
            child = self._person(
                self._sex(age, child=True), age, RELATION_CHILD, carrier.ethnicity, carrier.lineage, home, carrier
            )
            members.append(child)
        if grandparents and head.age + 22 <= OLDEST:
            elder_age = min(OLDEST, head.age + draws.randint(22, 34))
            sexes = ("male", "female") if grandparents == 2 else (self._sex(elder_age, alone=True),)
            for sex in sexes:
                age = elder_age if sex == "male" else max(head.age + 18, elder_age - draws.randint(0, 6))
                # The head's parent on the lineage side passed the lineage and the quê quán on to the head.
                passes_on = (sex == "female") == matrilineal
                elder = self._person(
                    sex, age, RELATION_PARENT, ethnicity, head.lineage if passes_on else self._lineage(ethnicity), home
                )
                if passes_on:
                    elder.hometown = head.hometown
                members.append(elder)
        members = widow(self.draws, members, self._death_date)
        # Other deaths of the last eight years. Not the head's (the household would have a new head), nor a parent's
        # of children living at home (they could be born after it).
        for member in members[1:]:
            if member.died is None and member.age >= 18 and (member.relation != RELATION_SPOUSE or not ages):
                member.died = self._date_of_death(member.birth, member.age)
        return members

    def _sex(self, age: int, *, alone: bool = False, child: bool = False) -> str:
        """The census band's sex ratio, but for elders without a partner (`alone`) and grown children at home."""
        if alone and age >= ELDER_AGE:
            share = LONE_ELDER_MALE_SHARE
        elif child and age >= ADULT_CHILD_FROM:
            share = ADULT_CHILD_MALE_SHARE
        else:
            share = self.male_share[age]
        return "male" if self.draws.random() < share else "female"

    def _lineage(self, ethnicity: str) -> str:
        return pick_lineage(self.draws, ethnicity)

    def _person(
        self, sex: str, age: int, relation: str, ethnicity: str, lineage: str, home: str, parent: Person | None = None
    ) -> Person:
        draws = self.draws
        birth = date(REFERENCE_DATE.year - 1 - age, 1, 1) + timedelta(days=draws.below(365))
        if parent is not None:  # a child: quê quán from the parent, born mostly where the family lives
            hometown = parent.hometown
            birthplace = home if draws.random() < 0.9 else hometown
        else:
            hometown = home if draws.random() < 0.7 else self.places.pick(draws)
            where = draws.random()
            birthplace = hometown if where < 0.75 else home if where < 0.9 else self.places.pick(draws)
        return Person(sex, birth, age_on(birth, REFERENCE_DATE), relation, ethnicity, lineage, hometown, birthplace)

    def _citizen(
        self, person: Person, household_code: str, street: str, commune_code: str, religion: str
    ) -> dict[str, Any]:
        draws = self.draws
        random = draws.random
        birth, age, died = person.birth, person.age, person.died
        legacy = self.catalog.legacy_provinces
        personal_id = self._new_id(person.birthplace, person.sex, birth.year)
        issued = draw_card_issued_on(draws, birth, died or REFERENCE_DATE) if age >= ACCOUNT_MIN_AGE else None
        temporary = self._temporary_residence(commune_code) if died is None and 18 <= age <= 60 else None
        temporary_street, temporary_commune, temporary_until = temporary or (None, None, None)
        full_name = compose_ethnic_name(draws, person.ethnicity, person.sex, birth.year, person.lineage)
        adult = age >= 18
        birthplace = legacy[person.birthplace]
        return {
            "personal_id": personal_id,
            "full_name": full_name,
            "other_names": None,
            "sex": person.sex,
            "date_of_birth": birth,
            "place_of_birth": birthplace.name,
            "birth_registration_province_code": birthplace.code,
            "hometown": legacy[person.hometown].name,
            "ethnicity_code": person.ethnicity,
            "religion_code": religion,
            "nationality": "VN",
            "blood_type": self.blood_types.pick(draws) if random() < 0.6 else None,
            "old_id_number": f"{draws.randint(10**8, 10**9 - 1)}" if birth.year <= 2004 and random() < 0.6 else None,
            "id_card_issued_on": issued,
            "id_card_expires_on": id_card_expiry(birth, issued) if issued else None,
            "permanent_street": street,
            "permanent_commune_code": commune_code,
            "temporary_street": temporary_street,
            "temporary_commune_code": temporary_commune,
            "temporary_until": temporary_until,
            "current_street": temporary_street,
            "current_commune_code": temporary_commune,
            "residence_file_number": household_code,
            "marital_status": self._marital_status(person),
            "household_code": household_code,
            "relation_to_head": person.relation,
            "father_personal_id": None,
            "mother_personal_id": None,
            "spouse_personal_id": None,
            "date_of_death": died,
            "phone": self._mobile() if adult and random() < 0.9 else None,
            "email": f"{mail_name(full_name)}{draws.randint(1, 999)}@mail.sandbox.test"
            if adult and random() < 0.3
            else None,
        }

    def _date_of_death(self, birth: date, age: int) -> date | None:
        if self.draws.random() >= (0.08 if age >= 60 else 0.006):
            return None
        return self._death_date(birth)

    def _death_date(self, birth: date, since: date | None = None) -> date:
        """A day of the last eight years, after the 18th birthday and after `since`."""
        earliest = max(birthday(birth, 18), since or birthday(birth, 18))
        return REFERENCE_DATE - timedelta(
            days=self.draws.randint(1, max(1, min(8 * 365, (REFERENCE_DATE - earliest).days)))
        )

    def _temporary_residence(self, commune_code: str) -> tuple[str, str, date] | None:
        """(street, commune, until) for one in five working-age people, mostly in the big cities."""
        draws = self.draws
        if draws.random() >= 0.2:
            return None
        pool = self.big_city_communes if draws.random() < 0.6 else self.commune_codes
        temporary_commune = draws.choice(pool)
        if temporary_commune == commune_code:
            return None
        return (
            f"Số {draws.randint(1, 500)} {draws.choice(self.streets)}",
            temporary_commune,
            REFERENCE_DATE + timedelta(days=draws.randint(30, 730)),
        )

    def _new_id(self, prefix: str, sex: str, birth_year: int) -> str:
        while True:
            candidate = compose_personal_id(prefix, sex, birth_year, self.draws.below(1_000_000))
            if candidate not in self.used_ids:
                self.used_ids.add(candidate)
                return candidate

    def _mobile(self) -> str:
        return f"{self.draws.choice(MOBILE_PREFIXES)}{self.draws.below(10**7):07d}"

    def _marital_status(self, person: Person) -> str:
        """Before the family is linked: heads and elders living without a spouse; `_link_family` marries couples."""
        if person.age < 18 or person.relation == RELATION_CHILD:
            return "single"
        if person.relation == RELATION_PARENT:
            return "widowed"
        if person.age < 30:
            return "single"
        return self.draws.choice(
            ("single", "divorced", "widowed", "widowed") if person.age >= 60 else ("single", "divorced")
        )

    def _maybe_account(self, person: Person, generated: GeneratedHousehold) -> None:
        draws = self.draws
        if person.age < ACCOUNT_MIN_AGE or draws.random() >= 0.88:
            return
        level = 2 if draws.random() < 0.78 else 1
        row = person.row
        dead = row["date_of_death"] is not None
        if dead and row["date_of_death"] < ACCOUNTS_FROM:
            return  # drawn all the same, so that this rule leaves everyone else's draws as they were
        generated.accounts.append(
            {
                "personal_id": row["personal_id"],
                "level": level,
                "status": "locked" if dead else "active",
                "lock_reason": "death" if dead else None,
                "role": "citizen",
                "jurisdiction_code": None,
                "phone": row["phone"],
                "password_hash": self.password_hash,
            }
        )
