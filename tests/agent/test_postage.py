"""Postage quotes against the shipped rate tables, at the published weight boundaries."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from importlib.resources import files

import pytest

from frontdesk.agent.commands import Commands
from frontdesk.agent.postage import available_classes, load_rate_tables, quote, table_for
from frontdesk.agent.postage.errors import (
    DestinationNotServed,
    InvalidWeight,
    NoTableInForce,
    Overweight,
    RateTableError,
    SurchargeNotListed,
    UnknownCarrier,
    UnknownMailClass,
)
from frontdesk.contract import clock
from frontdesk.contract import mqtt as contract
from frontdesk.contract.config import OfficeConfig
from frontdesk.devices.scale.units import parse_weight, to_grams

TODAY = date(2026, 11, 23)
USPS_2025 = date(2026, 1, 15)  # in force 2025-07-13 .. 2026-07-11
ONE_GRAM = Decimal(1)


def oz(amount: str) -> Decimal:
    return to_grams(Decimal(amount), "oz")


# --- the shipped files ---------------------------------------------------------------


def test_every_shipped_file_loads_as_one_table():
    shipped = [entry.name for entry in files("frontdesk.agent.postage.rates").iterdir() if entry.name.endswith(".toml")]
    tables = load_rate_tables()
    loaded = [f"{t.carrier}-{t.effective_date.isoformat()}.toml" for ts in tables.values() for t in ts]
    assert sorted(loaded) == sorted(shipped)
    assert {"usps", "deutschepost"} <= set(tables)


def test_every_class_has_a_source_and_an_effective_date():
    for tables in load_rate_tables().values():
        for table in tables:
            assert table.source.read_on and table.effective_date
            for class_id, mail_class in table.classes.items():
                for destination in mail_class.destinations:
                    assert len(table.source_of(class_id, destination)) > 20, (table.carrier, class_id, destination)


def test_tables_come_oldest_first():
    usps = load_rate_tables()["usps"]
    assert [t.effective_date for t in usps] == sorted(t.effective_date for t in usps)
    assert usps[0].effective_date == date(2025, 7, 13)


# --- USPS, table effective 2026-07-12 ------------------------------------------------------


@pytest.mark.parametrize(
    ("grams", "price", "rated"),
    [
        (Decimal("28.35"), "0.82", "1 oz"),  # 1 oz is 28.3495 g: at the scale's 0.01 g it is 28.35 g
        (Decimal("28.36"), "1.11", "2 oz"),
        (oz("2"), "1.11", "2 oz"),
        (oz("2") + Decimal("0.01"), "1.40", "3 oz"),
        (oz("3"), "1.40", "3 oz"),
        (oz("3.2"), "1.69", "3.5 oz"),
        (oz("3.5"), "1.69", "3.5 oz"),
    ],
)
def test_usps_letter_prices_at_the_ounce_steps(grams, price, rated):
    result = quote(grams, "letter", "domestic", "usps", on=TODAY)
    assert (result.price, result.rated_weight) == (Decimal(price), rated)
    assert result.effective_date == date(2026, 7, 12)


def test_usps_breakdown_shows_first_ounce_additional_ounces_and_nonmachinable_surcharge():
    result = quote(parse_weight("2.5oz"), "letter", "domestic", "usps", on=TODAY, nonmachinable=True)
    assert result.breakdown == (
        ("First-Class Mail letter, first 1 oz", Decimal("0.82")),
        ("2 additional oz", Decimal("0.58")),
        ("Nonmachinable surcharge", Decimal("0.49")),
    )
    assert result.price == Decimal("1.89")


def test_usps_2026_letter_one_gram_over_3_5_oz_has_no_other_class_in_the_table():
    with pytest.raises(Overweight) as error:
        quote(oz("3.5") + ONE_GRAM, "letter", "domestic", "usps", on=TODAY)
    assert error.value.alternative is None
    assert "3.5 oz limit" in str(error.value) and "lists no class" in str(error.value)


def test_usps_international_letter_is_listed_for_1_oz_only():
    assert quote(Decimal("28.35"), "letter", "international", "usps", on=TODAY).price == Decimal("1.75")
    with pytest.raises(Overweight, match="1 oz limit"):
        quote(Decimal("28.36"), "letter", "international", "usps", on=TODAY)


def test_usps_nonmachinable_international_letter_is_not_priced():
    with pytest.raises(SurchargeNotListed, match="nonmachinable surcharge.*counter"):
        quote(Decimal(20), "letter", "international", "usps", on=TODAY, nonmachinable=True)


# --- USPS, table effective 2025-07-13 -----------------------------------------------------


@pytest.mark.parametrize(
    ("grams", "price"),
    [(Decimal("28.35"), "0.78"), (Decimal("28.36"), "1.07"), (oz("3"), "1.36"), (oz("3.5"), "1.65")],
)
def test_usps_2025_letter_prices(grams, price):
    assert quote(grams, "letter", "domestic", "usps", on=USPS_2025).price == Decimal(price)


def test_usps_letter_one_gram_over_3_5_oz_names_the_large_envelope_and_its_price():
    with pytest.raises(Overweight) as error:
        quote(oz("3.5") + ONE_GRAM, "letter", "domestic", "usps", on=USPS_2025)
    assert "large_envelope" in str(error.value) and "2.44 USD" in str(error.value)
    assert error.value.alternative.mail_class == "large_envelope"
    assert error.value.alternative.rated_weight == "4 oz"


@pytest.mark.parametrize(
    ("grams", "price"),
    [
        (oz("1"), "1.63"),
        (oz("1") + Decimal("0.01"), "1.90"),
        (oz("4"), "2.44"),
        (oz("9"), "3.84"),
        (oz("9") + Decimal("0.01"), "4.14"),
        (oz("13"), "5.04"),
    ],
)
def test_usps_large_envelope_prices(grams, price):
    assert quote(grams, "large_envelope", "domestic", "usps", on=USPS_2025).price == Decimal(price)


def test_usps_large_envelope_over_13_oz_is_refused():
    with pytest.raises(Overweight, match="13 oz limit") as error:
        quote(oz("13") + ONE_GRAM, "large_envelope", "domestic", "usps", on=USPS_2025)
    assert error.value.alternative is None


def test_usps_large_envelope_breakdown_adds_the_extra_ounces():
    result = quote(oz("5"), "large_envelope", "domestic", "usps", on=USPS_2025)
    assert result.breakdown == (
        ("First-Class Mail large envelope (flat), first 1 oz", Decimal("1.63")),
        ("4 additional oz", Decimal("1.09")),
    )


# --- Deutsche Post ------------------------------------------------------------------------

DEUTSCHE_POST = [
    # class, destination, band limit in g, price, the class that takes one gram more (None: none does)
    ("postcard", "domestic", "14.69", "0.95", ("standard_letter", "0.95")),
    ("postcard", "international", "14.69", "1.25", ("standard_letter", "1.25")),
    ("standard_letter", "domestic", "20", "0.95", ("compact_letter", "1.10")),
    ("standard_letter", "international", "20", "1.25", ("compact_letter", "1.80")),
    ("compact_letter", "domestic", "50", "1.10", ("large_letter", "1.80")),
    ("compact_letter", "international", "50", "1.80", ("large_letter", "3.30")),
    ("large_letter", "domestic", "500", "1.80", ("maxi_letter", "2.90")),
    ("large_letter", "international", "500", "3.30", ("maxi_letter", "6.50")),
    ("maxi_letter", "domestic", "1000", "2.90", None),
    ("maxi_letter", "international", "2000", "17.00", None),
]


@pytest.mark.parametrize(("mail_class", "destination", "limit", "price", "heavier"), DEUTSCHE_POST)
def test_deutsche_post_band_limits(mail_class, destination, limit, price, heavier):
    result = quote(Decimal(limit), mail_class, destination, "deutschepost", on=TODAY)
    assert (result.price, result.rated_weight, result.currency) == (Decimal(price), f"≤ {limit} g", "EUR")
    with pytest.raises(Overweight) as error:
        quote(Decimal(limit) + ONE_GRAM, mail_class, destination, "deutschepost", on=TODAY)
    alternative = error.value.alternative
    if heavier is None:
        assert alternative is None and "lists no class" in str(error.value)
    else:
        assert (alternative.mail_class, alternative.price) == (heavier[0], Decimal(heavier[1]))
        assert f"{heavier[1]} EUR" in str(error.value)


def test_deutsche_post_maxibrief_abroad_has_two_bands():
    assert quote(Decimal(1000), "maxi_letter", "international", "deutschepost", on=TODAY).price == Decimal("6.50")
    heavier = quote(Decimal("1000.01"), "maxi_letter", "international", "deutschepost", on=TODAY)
    assert (heavier.price, heavier.rated_weight) == (Decimal("17.00"), "≤ 2000 g")
    assert heavier.breakdown == (("Maxibrief, ≤ 2000 g", Decimal("17.00")),)


def test_deutsche_post_table_holds_through_2026_but_not_before_2025():
    last_day = quote(Decimal(20), "standard_letter", "domestic", "deutschepost", on=date(2026, 12, 31))
    assert last_day.price == Decimal("0.95")
    with pytest.raises(NoTableInForce, match="2025-01-01"):
        quote(Decimal(20), "standard_letter", "domestic", "deutschepost", on=date(2024, 12, 31))


# --- available classes --------------------------------------------------------------------


def test_available_classes_are_the_ones_that_take_the_weight_cheapest_first():
    found = available_classes("deutschepost", "domestic", Decimal(20), on=TODAY)
    assert [(q.mail_class, q.price) for q in found] == [
        ("standard_letter", Decimal("0.95")),
        ("compact_letter", Decimal("1.10")),
        ("large_letter", Decimal("1.80")),
        ("maxi_letter", Decimal("2.90")),
    ]
    usps = available_classes("usps", "domestic", oz("2"), on=USPS_2025)
    assert [(q.mail_class, q.price) for q in usps] == [("letter", Decimal("1.07")), ("large_envelope", Decimal("1.90"))]


def test_available_classes_is_empty_when_nothing_takes_the_weight():
    assert available_classes("deutschepost", "domestic", Decimal(1500), on=TODAY) == []


def test_available_classes_with_nonmachinable_only_offers_classes_that_price_it():
    found = available_classes("usps", "domestic", oz("1"), on=USPS_2025, nonmachinable=True)
    assert [(q.mail_class, q.price) for q in found] == [("letter", Decimal("1.27"))]


def test_available_classes_rejects_a_destination_the_carrier_does_not_serve():
    with pytest.raises(DestinationNotServed, match="domestic or international"):
        available_classes("usps", "moon", Decimal(10), on=TODAY)


# --- mistakes at the desk -----------------------------------------------------------------


@pytest.mark.parametrize("weight", [Decimal(0), Decimal(-5), Decimal("NaN")])
def test_zero_negative_or_missing_weight_is_refused(weight):
    with pytest.raises(InvalidWeight, match="more than 0 g"):
        quote(weight, "letter", "domestic", "usps", on=TODAY)


def test_a_float_weight_is_refused():
    with pytest.raises(InvalidWeight, match="Decimal"):
        quote(28.35, "letter", "domestic", "usps", on=TODAY)


def test_unknown_carrier_lists_the_known_ones():
    with pytest.raises(UnknownCarrier, match="'dhl'; known carriers: deutschepost, usps"):
        quote(Decimal(10), "letter", "domestic", "dhl", on=TODAY)


def test_unknown_class_lists_what_the_carrier_offers():
    with pytest.raises(UnknownMailClass) as error:
        quote(Decimal(10), "letter", "domestic", "deutschepost", on=TODAY)
    message = str(error.value)
    assert "Deutsche Post has no mail class 'letter'" in message
    for offered in ("postcard (Postkarte)", "standard_letter (Standardbrief)", "maxi_letter (Maxibrief)"):
        assert offered in message


def test_destination_the_class_does_not_serve_lists_its_destinations():
    with pytest.raises(DestinationNotServed, match="goes only to domestic, not to 'international'"):
        quote(Decimal(10), "large_envelope", "international", "usps", on=USPS_2025)


# --- choosing the table by date -----------------------------------------------------------


def test_table_in_force_is_the_latest_that_took_effect():
    assert table_for("usps", date(2026, 7, 11)).effective_date == date(2025, 7, 13)
    assert table_for("usps", date(2026, 7, 12)).effective_date == date(2026, 7, 12)
    assert quote(Decimal(20), "letter", "domestic", "usps", on=date(2026, 7, 11)).price == Decimal("0.78")
    assert quote(Decimal(20), "letter", "domestic", "usps", on=date(2026, 7, 12)).price == Decimal("0.82")


@pytest.mark.parametrize("zone, price", [("UTC", "0.82"), ("America/Los_Angeles", "0.78")])
def test_the_agent_prices_with_the_table_in_force_on_the_office_date(tmp_path, zone, price):
    # 03:00 UTC on the day the 2026 table takes effect is still the evening before in California.
    commands = Commands(None, "usps", tmp_path, OfficeConfig(timezone=zone))
    request = contract.encode({"weight": "20g", "mail_class": "letter", "destination": "domestic"})
    with clock.frozen_at(datetime(2026, 7, 12, 3, 0, tzinfo=timezone.utc)):
        reply = commands.handle("postage_quote", request)
    assert reply["ok"], reply
    assert reply["result"]["price"] == price


def test_a_date_before_the_first_table_names_the_earliest_effective_date():
    with pytest.raises(NoTableInForce, match="takes effect on 2025-07-13.*2025-07-12"):
        table_for("usps", date(2025, 7, 12))


def test_quote_as_dict_is_json_with_decimals_as_strings():
    result = quote(Decimal("28.36"), "letter", "domestic", "usps", on=TODAY, nonmachinable=True)
    data = json.loads(json.dumps(result.as_dict()))
    assert data["price"] == "1.60" and data["weight_grams"] == "28.36"
    assert data["effective_date"] == "2026-07-12" and data["rated_weight"] == "2 oz"
    assert data["breakdown"][-1] == {"label": "Nonmachinable surcharge", "amount": "0.49"}


# --- malformed rate files -----------------------------------------------------------------

VALID_TABLE = """
carrier = "acme"
carrier_name = "Acme Post"
currency = "EUR"
effective_date = 2026-01-01

[source]
document = "Acme price list 1"
read_on = 2026-01-02

[rounding]
weight_unit = "g"
rule = "band"
weight_resolution_g = 0.01
breakdown = "step_price"
description = "band"

[classes.letter]
name = "Letter"

[classes.letter.destinations.domestic]
steps = [{ up_to = 20, price = 0.80 }, { up_to = 50, price = 1.20 }]
"""


def write_table(folder, text, name="acme-2026-01-01.toml"):
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_valid_table_in_another_folder_loads_exactly(tmp_path):
    tables = load_rate_tables(write_table(tmp_path, VALID_TABLE))
    table = table_for("acme", date(2026, 3, 1), tables=tables)
    assert table.classes["letter"].destinations["domestic"].steps[0].price == Decimal("0.80")


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        (("price = 1.20", "price = -1.20"), "classes.letter.destinations.domestic.steps[1].price", "greater than or"),
        (("up_to = 50", "up_to = 20"), "classes.letter.destinations.domestic.steps", "strictly"),
        (("price = 0.80", "prise = 0.80"), "classes.letter.destinations.domestic.steps[0].prise", "unknown key"),
        (('currency = "EUR"\n', ""), "currency", "required"),
        (('rule = "band"', 'rule = "nearest"'), "rounding.rule", "'next_step' or 'band'"),
        (("weight_resolution_g = 0.01", "weight_resolution_g = 0.05"), "rounding.weight_resolution_g", "power of ten"),
        (('carrier = "acme"', 'carrier = "other"'), "carrier", "its name says 'acme'"),
        (("effective_date = 2026-01-01", "effective_date = 2026-02-01"), "effective_date", "its name says 2026-01-01"),
    ],
)
def test_a_malformed_rate_file_names_the_file_and_the_key(tmp_path, change, key, problem):
    write_table(tmp_path, VALID_TABLE.replace(*change))
    with pytest.raises(RateTableError) as error:
        load_rate_tables(tmp_path)
    message = str(error.value)
    assert "acme-2026-01-01.toml: " in message
    assert f"{key}: " in message and problem in message


def test_a_rate_file_that_is_not_toml_names_the_file(tmp_path):
    write_table(tmp_path, VALID_TABLE.replace("[source]", "[source"))
    with pytest.raises(RateTableError, match=r"acme-2026-01-01\.toml: not valid TOML"):
        load_rate_tables(tmp_path)


def test_a_rate_file_with_a_wrong_name_is_refused(tmp_path):
    write_table(tmp_path, VALID_TABLE, name="acme.toml")
    with pytest.raises(RateTableError, match=r"acme\.toml: the file name must look like"):
        load_rate_tables(tmp_path)


def test_a_folder_without_rate_files_is_an_error(tmp_path):
    with pytest.raises(RateTableError, match="no rate tables"):
        load_rate_tables(tmp_path)
