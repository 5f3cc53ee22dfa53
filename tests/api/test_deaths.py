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
