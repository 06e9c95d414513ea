"""organisation.toml's contact keys: how a reader asks for the report in an accessible format, and
where each language's web page of the report is published."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Contact, load_organisation

PROFILE = """[organisation]
name_en = "Test Police"
name_cy = "Heddlu Prawf"
{extra}

[workforce_groups.staff]
name_en = "Police staff"
name_cy = "Staff yr heddlu"
grades = ["scale_1"]

[grades.scale_1]
name_en = "Scale 1"
name_cy = "Graddfa 1"
"""


def _load(tmp_path: Path, extra: str):  # noqa: ANN202
    path = tmp_path / "organisation.toml"
    path.write_text(PROFILE.format(extra=extra), encoding="utf-8")
    return load_organisation(path)


def test_the_contact_keys_are_read_and_each_web_address_takes_the_report_s_year(tmp_path: Path) -> None:
    org, problems = _load(tmp_path, '''contact_email = "equality@police.example"
contact_phone = "01632 960000"
web_address_en = "https://www.police.example/equality/{year}/"
web_address_cy = "https://www.police.example/cy/cydraddoldeb/{year}/"''')
    assert problems == []
    assert org.contact.email == "equality@police.example" and org.contact.phone == "01632 960000"
    assert org.contact.web_address("en", 2024) == "https://www.police.example/equality/2024/"
    assert org.contact.web_address("cy", 2024) == "https://www.police.example/cy/cydraddoldeb/2024/"


def test_a_profile_without_contact_keys_has_no_way_to_be_reached(tmp_path: Path) -> None:
    org, problems = _load(tmp_path, "")
    assert problems == [] and org.contact == Contact()
    assert org.contact.web_address("cy", 2024) is None and org.contact.phone_link is None


@pytest.mark.parametrize(("key", "value", "allowed"), [
    ("contact_email", "equality at police.example", "an email address"),
    ("contact_email", "Jo Bloggs <jo@police.example>", "an email address"),
    ("contact_phone", "ring the front desk", "a phone number"),
    ("web_address_en", "http://www.police.example/equality/", "a web address starting https://"),
])
def test_a_contact_key_of_the_wrong_form_is_reported_with_its_key_and_what_is_allowed(
        tmp_path: Path, key: str, value: str, allowed: str) -> None:
    other = '\nweb_address_cy = "https://www.police.example/cy/"' if key == "web_address_en" else ""
    org, problems = _load(tmp_path, f'{key} = "{value}"{other}')
    assert org is None
    assert [(p.column, p.found) for p in problems] == [(f"organisation.{key}", value)]
    assert problems[0].allowed.startswith(allowed)


def test_one_language_s_web_address_without_the_other_s_is_refused(tmp_path: Path) -> None:
    # the Welsh PDF would send its readers to no web page while the English one links its own
    org, problems = _load(tmp_path, 'web_address_en = "https://www.police.example/equality/"')
    assert org is None
    assert [(p.code, p.column) for p in problems] == [("missing_key", "organisation.web_address_cy")]
    assert problems[0].allowed == "both web_address_en and web_address_cy, or neither"


@pytest.mark.parametrize("phone", ["01632 960000", "+44 (0)1632 960000", "(01632) 960000", "01632-960-000",
                                   "0300 123 1234"])
def test_the_ways_a_uk_number_is_written_are_accepted(tmp_path: Path, phone: str) -> None:
    org, problems = _load(tmp_path, f'contact_phone = "{phone}"')
    assert problems == [] and org.contact.phone == phone


@pytest.mark.parametrize(("phone", "link"), [
    ("01632 960000", "tel:01632960000"),
    ("+44 (0)1632 960000", "tel:+441632960000"),
    ("(01632) 960-000", "tel:01632960000"),
])
def test_the_phone_link_dials_the_digits_alone(phone: str, link: str) -> None:
    assert Contact(phone=phone).phone_link == link
