"""The synthetic population: deterministic households of citizens drawn from pre-built pools.

Everything is drawn from one `random.Random` seeded with VNEID_SEED, in a fixed order, and ages are
computed against a fixed reference date, so the same seed yields byte-identical citizens on any
machine and any day. Pools (street names) are built once with Faker, then sampled with plain
`random` calls: calling Faker per field is far too slow for a million citizens.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

from faker import Faker

from app.services.population.dates import age_on, birthday, id_card_expiry
from app.services.population.draws import Draws, Weighted, weighted
from app.services.population.names import VietnameseNameProvider, compose_name, mail_name, pick_surname
from app.services.population.personal_id import compose_personal_id
from app.services.reference import Catalog

# The population is generated "as of" this date, whatever today is, so a seed means the same people.
REFERENCE_DATE = date(2026, 1, 1)
STREET_POOL_SIZE = 600
ACCOUNT_MIN_AGE = 14
BLOOD_TYPES = (("O", 42), ("B", 30), ("A", 21), ("AB", 7))
MOBILE_PREFIXES = tuple(  # mobile networks' prefixes (Viettel, Mobifone, Vinaphone, Vietnamobile…)
    "032 033 034 035 036 037 038 039 056 058 070 076 077 078 079 081 "
    "082 083 084 085 086 088 089 090 091 093 094 096 097 098 099".split()
)
BIG_CITIES = ("01", "79", "48", "31", "92")  # where most people with a temporary residence live
OFFENCES = (
    ("Trộm cắp tài sản", "Điều 173 Bộ luật Hình sự 2015"),
    ("Cố ý gây thương tích", "Điều 134 Bộ luật Hình sự 2015"),
    ("Lừa đảo chiếm đoạt tài sản", "Điều 174 Bộ luật Hình sự 2015"),
    ("Đánh bạc", "Điều 321 Bộ luật Hình sự 2015"),
    ("Vi phạm quy định về tham gia giao thông đường bộ", "Điều 260 Bộ luật Hình sự 2015"),
    ("Tàng trữ trái phép chất ma túy", "Điều 249 Bộ luật Hình sự 2015"),
)
SENTENCES = (
    "12 tháng tù cho hưởng án treo",
    "9 tháng tù",
    "2 năm tù",
    "Cải tạo không giam giữ 1 năm",
    "Phạt tiền 20.000.000 đồng",
    "3 năm tù",
)
RELATION_HEAD, RELATION_SPOUSE, RELATION_CHILD, RELATION_PARENT = "head", "spouse", "child", "parent"
PARENT_FIELD = {"male": "father_personal_id", "female": "mother_personal_id"}


@dataclass(slots=True)
class GeneratedHousehold:
    household: dict[str, Any]
    citizens: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    convictions: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class _Person:
    sex: str
    birth: date
    age: int
    surname: str
    relation: str
    ethnicity: str
    hometown: str
    row: dict[str, Any] = field(default_factory=dict)


@cache
def _card_window(birth: date) -> tuple[date, int]:
    """The first day a chip card can date from (2021, or the 14th birthday), and the days from then to now."""
    earliest = max(date(2021, 1, 1), birthday(birth, ACCOUNT_MIN_AGE))
    return earliest, max(1, (REFERENCE_DATE - earliest).days)


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
        self.commune_codes = sorted(catalog.communes)
        self.big_city_communes = [c for c in self.commune_codes if catalog.communes[c].province_code in BIG_CITIES]
        self.legacy_prefixes = sorted(catalog.legacy_provinces)
        # ID prefix → (place of birth, birth-registration province code)
        self.birthplaces = {p: (legacy.name, legacy.code) for p, legacy in catalog.legacy_provinces.items()}
        legacy_by_new: dict[str, list[str]] = {}
        for prefix in self.legacy_prefixes:
            legacy_by_new.setdefault(catalog.legacy_provinces[prefix].new_province_code, []).append(prefix)
        # Commune → the ID prefixes of the pre-2025 provinces its province was merged from.
        self.local_prefixes = {code: legacy_by_new[commune.province_code] for code, commune in catalog.communes.items()}
        self.ethnicities = weighted(catalog.ethnic_groups)
        self.religions = weighted(catalog.religions)
        self.blood_types = Weighted(list(BLOOD_TYPES))

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
        commune_code = draws.choice(self.commune_codes)
        street = f"Số {draws.randint(1, 300)} {draws.choice(('đường', 'phố', 'ngõ'))} {draws.choice(self.streets)}"
        local_prefixes = self.local_prefixes[commune_code]
        code = f"HG{sequence:010d}"
        members = self._members(room)
        generated = GeneratedHousehold(
            {"code": code, "head_personal_id": "", "street": street, "commune_code": commune_code}
        )
        religion = self.religions.pick(draws)
        for person in members:
            native = draws.random() < (0.9 if person.relation == RELATION_CHILD else 0.75)
            prefix = draws.choice(local_prefixes) if native else draws.choice(self.legacy_prefixes)
            person.row = self._citizen(
                person,
                prefix,
                code,
                street,
                commune_code,
                religion if draws.random() < 0.9 else self.religions.pick(draws),
            )
            generated.citizens.append(person.row)
        self._link_family(members)
        generated.household["head_personal_id"] = members[0].row["personal_id"]
        for person in members:
            self._maybe_account(person, generated)
            self._maybe_conviction(person, generated)
        return generated

    def _members(self, room: int) -> list[_Person]:
        """Head first, then spouse, children and the head's parents, with consistent ages and surnames."""
        draws = self.draws
        shape = draws.random()
        ethnicity = self.ethnicities.pick(draws)
        hometown = self.catalog.legacy_provinces[draws.choice(self.legacy_prefixes)].name
        family_surname = self._surname()
        if shape < 0.18 or room == 1:  # one person living alone
            sex = "male" if draws.random() < 0.5 else "female"
            return [self._person(sex, self._birth(20, 88), family_surname, RELATION_HEAD, ethnicity, hometown)]
        head_male = draws.random() < 0.8
        head_age = draws.randint(24, 68)
        head = self._person(
            "male" if head_male else "female",
            self._birth(head_age, head_age),
            family_surname,
            RELATION_HEAD,
            ethnicity,
            hometown,
        )
        members = [head]
        single_parent = shape >= 0.9
        mother_age = head_age
        if not single_parent:
            spouse_age = max(18, head_age + (draws.randint(-8, 2) if head_male else draws.randint(-2, 8)))
            spouse_ethnicity = ethnicity if draws.random() < 0.9 else self.ethnicities.pick(draws)
            members.append(
                self._person(
                    "female" if head_male else "male",
                    self._birth(spouse_age, spouse_age),
                    self._surname(),
                    RELATION_SPOUSE,
                    spouse_ethnicity,
                    hometown,
                )
            )
            mother_age = spouse_age if head_male else head_age
        # Children carry the father's surname; where the head is the mother, the father is the spouse.
        father_surname = members[1].surname if (not head_male and not single_parent) else family_surname
        if shape >= 0.30:
            for _ in range(draws.choice((1, 1, 2, 2, 2, 3))):
                child_age = mother_age - draws.randint(20, 38)
                if child_age < 0:
                    continue
                sex = "male" if draws.random() < 0.51 else "female"
                members.append(
                    self._person(
                        sex, self._birth(child_age, child_age), father_surname, RELATION_CHILD, ethnicity, hometown
                    )
                )
        if 0.75 <= shape < 0.9:  # three generations: the head's parents live with them
            father_age = head_age + draws.randint(22, 35)
            if father_age <= 95:
                members.append(
                    self._person(
                        "male",
                        self._birth(father_age, father_age),
                        family_surname,
                        RELATION_PARENT,
                        ethnicity,
                        hometown,
                    )
                )
                if draws.random() < 0.7:
                    mother_age = father_age - draws.randint(0, 6)
                    members.append(
                        self._person(
                            "female",
                            self._birth(mother_age, mother_age),
                            self._surname(),
                            RELATION_PARENT,
                            ethnicity,
                            hometown,
                        )
                    )
        return members[:room]

    def _surname(self) -> str:
        return pick_surname(self.draws)

    def _birth(self, min_age: int, max_age: int) -> date:
        # randint(a, a) still draws (and may reject) bits: kept, or every later draw would shift.
        age = self.draws.randint(min_age, max_age)
        return date(REFERENCE_DATE.year - 1 - age, 1, 1) + timedelta(days=self.draws.below(365))

    @staticmethod
    def _person(sex: str, birth: date, surname: str, relation: str, ethnicity: str, hometown: str) -> _Person:
        return _Person(sex, birth, age_on(birth, REFERENCE_DATE), surname, relation, ethnicity, hometown)

    def _citizen(
        self, person: _Person, prefix: str, household_code: str, street: str, commune_code: str, religion: str
    ) -> dict[str, Any]:
        draws = self.draws
        random = draws.random
        birth, age = person.birth, person.age
        personal_id = self._new_id(prefix, person.sex, birth.year)
        issued = self._card_issued_on(birth) if age >= ACCOUNT_MIN_AGE else None
        died = self._date_of_death(birth, age)
        temporary = self._temporary_residence(commune_code) if died is None and 18 <= age <= 60 else None
        temporary_street, temporary_commune, temporary_until = temporary or (None, None, None)
        full_name = compose_name(draws, person.sex, birth.year, person.surname)
        adult = age >= 18
        place_of_birth, birth_province_code = self.birthplaces[prefix]
        return {
            "personal_id": personal_id,
            "full_name": full_name,
            "other_names": None,
            "sex": person.sex,
            "date_of_birth": birth,
            "place_of_birth": place_of_birth,
            "birth_registration_province_code": birth_province_code,
            "hometown": person.hometown,
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
            "marital_status": self._marital_status(person.relation, age),
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

    def _card_issued_on(self, birth: date) -> date:
        earliest, days = _card_window(birth)
        return earliest + timedelta(days=self.draws.below(days))

    def _date_of_death(self, birth: date, age: int) -> date | None:
        if self.draws.random() >= (0.05 if age >= 60 else 0.004):
            return None
        return REFERENCE_DATE - timedelta(days=self.draws.randint(1, min(8 * 365, (REFERENCE_DATE - birth).days)))

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

    def _marital_status(self, relation: str, age: int) -> str:
        if relation in (RELATION_SPOUSE, RELATION_PARENT) or (
            relation == RELATION_HEAD and age >= 24 and self.draws.random() < 0.1
        ):
            return "married"
        if age < 18 or relation == RELATION_CHILD:
            return "single"
        return self.draws.choice(("single", "single", "divorced", "widowed")) if age >= 40 else "single"

    @staticmethod
    def _link_family(members: list[_Person]) -> None:
        head = members[0]
        spouse = next((m for m in members if m.relation == RELATION_SPOUSE), None)
        if spouse:
            head.row["spouse_personal_id"] = spouse.row["personal_id"]
            spouse.row["spouse_personal_id"] = head.row["personal_id"]
            head.row["marital_status"] = "married"
        parents = [m for m in members if m.relation == RELATION_PARENT]
        for parent in parents:
            head.row[PARENT_FIELD[parent.sex]] = parent.row["personal_id"]
            parent.row["spouse_personal_id"] = next((p.row["personal_id"] for p in parents if p is not parent), None)
        for child in (m for m in members if m.relation == RELATION_CHILD):
            for adult in (head, spouse):
                if adult is not None:
                    child.row[PARENT_FIELD[adult.sex]] = adult.row["personal_id"]

    def _maybe_account(self, person: _Person, generated: GeneratedHousehold) -> None:
        draws = self.draws
        if person.age < ACCOUNT_MIN_AGE or draws.random() >= 0.88:
            return
        row = person.row
        dead = row["date_of_death"] is not None
        generated.accounts.append(
            {
                "personal_id": row["personal_id"],
                "level": 2 if draws.random() < 0.78 else 1,
                "status": "locked" if dead else "active",
                "lock_reason": "death" if dead else None,
                "role": "citizen",
                "jurisdiction_code": None,
                "phone": row["phone"],
                "password_hash": self.password_hash,
            }
        )

    def _maybe_conviction(self, person: _Person, generated: GeneratedHousehold) -> None:
        draws = self.draws
        if person.age < 18 or draws.random() >= 0.012:
            return
        earliest = birthday(person.birth, 18)
        judged = earliest + timedelta(days=draws.below(max(1, (REFERENCE_DATE - earliest).days)))
        offence, article = draws.choice(OFFENCES)
        completed = judged + timedelta(days=draws.randint(180, 1460))
        expunged_on = completed + timedelta(days=draws.choice((365, 730, 1095)))
        expunged = expunged_on < REFERENCE_DATE and draws.random() < 0.8
        generated.convictions.append(
            {
                "personal_id": person.row["personal_id"],
                "judgment_number": f"{draws.randint(1, 450)}/{judged.year}/HS-ST",
                "judgment_date": judged,
                "court": f"Tòa án nhân dân {self.birthplaces[person.row['personal_id'][:3]][0]}",
                "offence": offence,
                "article": article,
                "sentence": draws.choice(SENTENCES),
                "sentence_completed_on": completed if completed < REFERENCE_DATE else None,
                "expunged": expunged,
                "expunged_on": expunged_on if expunged else None,
            }
        )
