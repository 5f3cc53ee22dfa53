"""A death through the sandbox (POST /sandbox/citizens/{id}/death) changes the family's records as the population
database would (Luật Cư trú 2020 art. 10, 24): the spouse is widowed, a household whose head died gets a new head."""

from fastapi.testclient import TestClient

AN, HOA, LINH = "001090000001", "001192000013", "001320000009"


def die(client: TestClient, admin_headers: dict[str, str], personal_id: str) -> None:
    response = client.post(
        f"/sandbox/citizens/{personal_id}/death", headers=admin_headers, json={"date_of_death": "2026-11-20"}
    )
    assert response.status_code == 200, response.text


def household(client: TestClient, agency_headers: dict[str, str]) -> tuple[str, dict[str, str]]:
    body = client.get(f"/v1/citizens/{LINH}/household", headers=agency_headers).json()
    return body["head_personal_id"], {m["personal_id"]: m["relation_to_head"] for m in body["members"]}


def marital_status(client: TestClient, agency_headers: dict[str, str], personal_id: str) -> str:
    record = client.get(f"/v1/citizens/{personal_id}", params={"fields": "marital_status"}, headers=agency_headers)
    return str(record.json()["marital_status"])


def test_the_widow_heads_the_household_when_its_head_dies(
    client: TestClient, admin_headers: dict[str, str], agency_headers: dict[str, str]
) -> None:
    die(client, admin_headers, AN)
    head, relations = household(client, agency_headers)
    assert head == HOA
    assert (relations[HOA], relations[LINH]) == ("head", "child")  # linh is hoa's daughter too
    assert marital_status(client, agency_headers, HOA) == "widowed"


def test_a_member_s_death_widows_the_spouse_and_keeps_the_head(
    client: TestClient, admin_headers: dict[str, str], agency_headers: dict[str, str]
) -> None:
    die(client, admin_headers, HOA)
    assert household(client, agency_headers)[0] == AN
    assert marital_status(client, agency_headers, AN) == "widowed"


def test_without_a_living_spouse_the_eldest_member_left_heads_the_household(
    client: TestClient, admin_headers: dict[str, str], agency_headers: dict[str, str]
) -> None:
    die(client, admin_headers, HOA)
    die(client, admin_headers, AN)
    head, relations = household(client, agency_headers)
    assert (head, relations[LINH]) == (LINH, "head")


def test_a_death_deregisters_the_permanent_residence(
    client: TestClient, admin_headers: dict[str, str], agency_headers: dict[str, str]
) -> None:
    """Luật Cư trú 2020 art. 24(1)(a): the permanent residence of a person who died is deregistered."""
    fields = {"fields": "permanent_address,current_address,residence_deregistration"}
    before = client.get(f"/v1/citizens/{AN}", params=fields, headers=agency_headers).json()
    assert before["permanent_address"]["commune"] == "Phường Ba Đình"
    assert before["residence_deregistration"] is None
    die(client, admin_headers, AN)
    after = client.get(f"/v1/citizens/{AN}", params=fields, headers=agency_headers).json()
    assert (after["permanent_address"], after["current_address"]) == (None, None)
    deregistration = after["residence_deregistration"]
    assert (deregistration["reason"], deregistration["deregistered_on"]) == ("death", "2026-11-20")
    assert "điều 24 khoản 1 điểm a" in deregistration["legal_basis"]
    assert deregistration["last_permanent_address"] == before["permanent_address"]
    # The widow keeps hers: only the deceased is deregistered.
    widow = client.get(f"/v1/citizens/{HOA}", params=fields, headers=agency_headers).json()
    assert widow["permanent_address"] == before["permanent_address"]
    assert widow["residence_deregistration"] is None


def test_the_seeded_dead_have_no_residence(client: TestClient, agency_headers: dict[str, str]) -> None:
    """Persona `hai` died in 2024: his residence was deregistered that day, as a death recorded now would be."""
    record = client.get("/v1/citizens/036050000008", headers=agency_headers).json()
    assert record["permanent_address"] is None
    assert record["residence_deregistration"]["deregistered_on"] == record["date_of_death"] == "2024-06-18"


def test_a_dead_persons_residence_cannot_be_deregistered_twice_by_a_second_death(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    die(client, admin_headers, AN)
    again = client.post(f"/sandbox/citizens/{AN}/death", headers=admin_headers, json={"date_of_death": "2026-11-25"})
    assert again.status_code == 409
