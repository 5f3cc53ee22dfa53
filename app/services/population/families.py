"""Who lives together in a generated household, and how: relations to the head, couples, widowhood, parents."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.services.population.draws import Draws

RELATION_HEAD, RELATION_SPOUSE, RELATION_CHILD, RELATION_PARENT = "head", "spouse", "child", "parent"
PARENT_FIELD = {"male": "father_personal_id", "female": "mother_personal_id"}
# The chance that an old couple has lost the husband in the last eight years, per year of his age over 55 (capped):
# a sandbox estimate, tuned with the generator's sex shares to the census ratio over 60 (75 men per 100 women).
WIDOWHOOD_FROM, WIDOWHOOD_PER_YEAR, WIDOWHOOD_CAP = 55, 0.016, 0.5


@dataclass(slots=True)
class Person:
    sex: str
    birth: date
    age: int
    relation: str
    ethnicity: str
    lineage: str  # family (or clan) name passed to the children
    hometown: str  # quê quán, as a 2019 province's ID prefix
    birthplace: str  # where the birth was registered: the ID prefix
    died: date | None = None
    row: dict[str, Any] = field(default_factory=dict)


def couples(members: list[Person]) -> list[tuple[Person, Person]]:
    """The head and spouse, and the head's parents when both live in the household."""
    head = members[0]
    spouse = next((m for m in members if m.relation == RELATION_SPOUSE), None)
    elders = [m for m in members if m.relation == RELATION_PARENT]
    pairs = [(head, spouse)] if spouse else []
    if len(elders) == 2:
        pairs.append((elders[0], elders[1]))
    return pairs


def widow(draws: Draws, members: list[Person], death_date: Callable[[date, date | None], date]) -> list[Person]:
    """Old couples have often lost the husband (women outlive men, and marry older ones): he died in the last eight
    years (`death_date`, after the youngest child's birth); if he headed the household, his widow heads it now,
    unless his parents live there (they are the head's parents: then he stays). Returns the members, head first."""
    has_elders = any(m.relation == RELATION_PARENT for m in members)
    youngest = max((m.birth for m in members if m.relation == RELATION_CHILD), default=None)
    for a, b in couples(members):
        husband, wife = (a, b) if a.sex == "male" else (b, a)
        is_head = husband is members[0]
        if husband.age <= WIDOWHOOD_FROM or (is_head and has_elders):
            continue
        if draws.random() < min(WIDOWHOOD_CAP, WIDOWHOOD_PER_YEAR * (husband.age - WIDOWHOOD_FROM)):
            father = husband.relation != RELATION_PARENT  # of the children at home, if any
            husband.died = death_date(husband.birth, youngest if father else None)
            if is_head:
                husband.relation, wife.relation = RELATION_SPOUSE, RELATION_HEAD
                members = [wife, *(m for m in members if m is not wife)]
    return members


def link_family(members: list[Person]) -> None:
    """Parents, and spouses on both sides: married while both live, the survivor widowed."""
    head = members[0]
    spouse = next((m for m in members if m.relation == RELATION_SPOUSE), None)
    for a, b in couples(members):
        for one, other in ((a, b), (b, a)):
            one.row["spouse_personal_id"] = other.row["personal_id"]
            widowed = other.died is not None and (one.died is None or other.died < one.died)
            one.row["marital_status"] = "widowed" if widowed else "married"
    for elder in (m for m in members if m.relation == RELATION_PARENT):
        head.row[PARENT_FIELD[elder.sex]] = elder.row["personal_id"]
    for child in (m for m in members if m.relation == RELATION_CHILD):
        for parent in (head, spouse):
            if parent is not None:
                child.row[PARENT_FIELD[parent.sex]] = parent.row["personal_id"]
