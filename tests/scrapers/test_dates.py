import pytest

from retskilde.scrapers.dates import is_date_only, parse_date, parse_month


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.06.2024", "2024-06-12"),  # ast.dk metadata box
        ("20. 02. 2025", "2025-02-20"),
        ("09-01-2026", "2026-01-09"),  # current ast.dk date line under the title
        ("12-12-2023", "2023-12-12"),  # star.dk
        ("Sidst opdateret: 14-03-2024", "2024-03-14"),
        ("Dato for underskrift 3. november 2023", "2023-11-03"),
        ("22. januar 2026", "2026-01-22"),
        ("Sidst opdateret 14. dec 2016", "2016-12-14"),  # old star.dk
        ("Aalborg, den 26. maj 2014", "2014-05-26"),
        ("14. sept. 2021", "2021-09-14"),
        ("26/5 2014", "2014-05-26"),
        ("2025-03-04", "2025-03-04"),
        ("2025-03-04T10:00:00+01:00", "2025-03-04"),
        ("31.02.2024", None),
        ("31-02-2024", None),
        ("sag 14-24", None),  # a decision number, not a date
        ("principmeddelelse 101-17 af 2019", None),
        ("ingen dato", None),
        ("3. maj og 2024", None),
    ],
)
def test_parse_date_reads_the_danish_forms(text, expected):
    assert parse_date(text) == expected


def test_the_first_date_in_the_text_wins():
    assert parse_date("Offentliggjort 5. marts 2024, underskrevet 01.02.2024") == "2024-03-05"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("maj 2014", (2014, 5)),
        ("Rapport, December 2023", (2023, 12)),
        ("dec. 2016", (2016, 12)),
        ("ingen måned 2014", None),
        ("majs 2014", None),
    ],
)
def test_parse_month(text, expected):
    assert parse_month(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("09-01-2026", True), (" 12. juni 2024 ", True), ("Udgivet 12-12-2023", False), ("", False)],
)
def test_is_date_only(text, expected):
    assert is_date_only(text) == expected
