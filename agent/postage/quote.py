"""Price one weighed item with the carrier's rate table in force on a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from frontdesk.agent.postage.errors import DestinationNotServed, InvalidWeight, Overweight, SurchargeNotListed, UnknownMailClass
from frontdesk.agent.postage.schema import DestinationRates, RateTable, Surcharge, WeightStep
from frontdesk.agent.postage.tables import table_for
from frontdesk.devices.scale.units import from_grams, to_grams


@dataclass(frozen=True)
class PostageQuote:
    carrier: str
    carrier_name: str
    mail_class: str
    mail_class_name: str
    destination: str
    weight_grams: Decimal  # as weighed
    rated_weight: str  # what the carrier charges for, e.g. "4 oz" or "≤ 50 g"
    price: Decimal
    currency: str
    breakdown: tuple[tuple[str, Decimal], ...]
    effective_date: date
    source: str

    def as_dict(self) -> dict[str, object]:
        return {
            "carrier": self.carrier,
            "carrier_name": self.carrier_name,
            "mail_class": self.mail_class,
            "mail_class_name": self.mail_class_name,
            "destination": self.destination,
            "weight_grams": str(self.weight_grams),
            "rated_weight": self.rated_weight,
            "price": str(self.price),
            "currency": self.currency,
            "breakdown": [{"label": label, "amount": str(amount)} for label, amount in self.breakdown],
            "effective_date": self.effective_date.isoformat(),
            "source": self.source,
        }


def quote(
    weight_grams: Decimal,
    mail_class: str,
    destination: str,
    carrier: str,
    *,
    on: date,
    nonmachinable: bool = False,
) -> PostageQuote:
    weight = _checked_weight(weight_grams)
    table = table_for(carrier, on)
    rates = _rates_for(table, mail_class, destination)
    priced = _price(table, mail_class, destination, rates, weight, nonmachinable)
    if priced is None:
        raise _overweight(table, mail_class, destination, weight)
    return priced


def available_classes(
    carrier: str,
    destination: str,
    weight_grams: Decimal,
    *,
    on: date,
    nonmachinable: bool = False,
) -> list[PostageQuote]:
    """Every class that takes this weight to `destination`, cheapest first, with the tables in force
    `on` the office's date (`clock.today(office zone)`).

    With `nonmachinable`, only classes whose table prices that surcharge are offered.
    """
    weight = _checked_weight(weight_grams)
    table = table_for(carrier, on)
    served = _destinations_served(table)
    if destination not in served:
        raise DestinationNotServed(
            f"{table.carrier_name} mail goes only to {_either(served)}, not to {destination!r}; choose one of those."
        )
    return _all_quotes(table, destination, weight, nonmachinable)


def _all_quotes(table: RateTable, destination: str, weight: Decimal, nonmachinable: bool) -> list[PostageQuote]:
    quotes = []
    for class_id, mail_class in table.classes.items():
        rates = mail_class.destinations.get(destination)
        if rates is None or (nonmachinable and not _nonmachinable_surcharges(rates)):
            continue
        priced = _price(table, class_id, destination, rates, weight, nonmachinable)
        if priced is not None:
            quotes.append(priced)
    return sorted(quotes, key=lambda priced: (priced.price, priced.mail_class))


def _price(
    table: RateTable, class_id: str, destination: str, rates: DestinationRates, weight: Decimal, nonmachinable: bool
) -> PostageQuote | None:
    index = _step_index(table, rates.steps, weight)
    if index is None:
        return None
    surcharges = _surcharges(table, class_id, destination, rates, nonmachinable)
    lines = _base_lines(table, class_id, rates.steps, index) + [(s.name, s.price) for s in surcharges]
    return PostageQuote(
        carrier=table.carrier,
        carrier_name=table.carrier_name,
        mail_class=class_id,
        mail_class_name=table.classes[class_id].name,
        destination=destination,
        weight_grams=weight,
        rated_weight=_step_label(table, rates.steps[index]),
        price=sum((amount for _, amount in lines), Decimal(0)),
        currency=table.currency,
        breakdown=tuple(lines),
        effective_date=table.effective_date,
        source=table.source_of(class_id, destination),
    )


def _step_index(table: RateTable, steps: list[WeightStep], weight: Decimal) -> int | None:
    """The lightest step whose limit is at least the weight, or None if it is too heavy.

    Both sides are rounded to the table's resolution first: a scale that shows
    28.35 g cannot tell that from 1 oz (28.3495 g), so it is charged as 1 oz.
    """
    measured = _at_resolution(table, weight)
    for index, step in enumerate(steps):
        if measured <= _at_resolution(table, to_grams(step.up_to, table.rounding.weight_unit)):
            return index
    return None


def _at_resolution(table: RateTable, grams: Decimal) -> Decimal:
    return grams.quantize(table.rounding.weight_resolution_g, rounding=ROUND_HALF_UP)


def _base_lines(table: RateTable, class_id: str, steps: list[WeightStep], index: int) -> list[tuple[str, Decimal]]:
    name = table.classes[class_id].name
    step, first = steps[index], steps[0]
    if table.rounding.breakdown == "step_price" or index == 0:
        return [(f"{name}, {_step_label(table, step)}", step.price)]
    added = _whole(step.up_to) - _whole(first.up_to)
    return [
        (f"{name}, first {_step_label(table, first)}", first.price),
        (f"{added} additional {table.rounding.weight_unit}", step.price - first.price),
    ]


def _surcharges(
    table: RateTable, class_id: str, destination: str, rates: DestinationRates, nonmachinable: bool
) -> list[Surcharge]:
    if not nonmachinable:
        return []
    listed = _nonmachinable_surcharges(rates)
    if not listed:
        raise SurchargeNotListed(
            f"The {table.carrier_name} rate table lists no nonmachinable surcharge for "
            f"{table.classes[class_id].name} ({destination}); price this item at the post office counter."
        )
    return listed


def _nonmachinable_surcharges(rates: DestinationRates) -> list[Surcharge]:
    return [surcharge for surcharge in rates.surcharges if surcharge.when == "nonmachinable"]


def _overweight(table: RateTable, class_id: str, destination: str, weight: Decimal) -> Overweight:
    mail_class = table.classes[class_id]
    limit = _weight_text(table, mail_class.destinations[destination].weight_limit)
    problem = f"{_measured_text(table, weight)} is over the {limit} limit for {mail_class.name} ({destination})"
    others = [q for q in _all_quotes(table, destination, weight, nonmachinable=False) if q.mail_class != class_id]
    if not others:
        return Overweight(
            f"{problem}, and the {table.carrier_name} table effective {table.effective_date.isoformat()} "
            f"lists no class that takes that weight to {destination}; price it at the post office counter."
        )
    cheapest = others[0]
    return Overweight(
        f"{problem}; send it as {cheapest.mail_class_name} ({cheapest.mail_class}) "
        f"for {cheapest.price} {cheapest.currency}.",
        alternative=cheapest,
    )


def _rates_for(table: RateTable, class_id: str, destination: str) -> DestinationRates:
    mail_class = table.classes.get(class_id)
    if mail_class is None:
        offered = "; ".join(f"{key} ({value.name})" for key, value in table.classes.items())
        raise UnknownMailClass(f"{table.carrier_name} has no mail class {class_id!r}; it offers {offered}.")
    rates = mail_class.destinations.get(destination)
    if rates is None:
        raise DestinationNotServed(
            f"{mail_class.name} ({table.carrier_name}) goes only to {_either(list(mail_class.destinations))}, "
            f"not to {destination!r}; choose one of those or another class."
        )
    return rates


def _destinations_served(table: RateTable) -> list[str]:
    return sorted({destination for mail_class in table.classes.values() for destination in mail_class.destinations})


def _checked_weight(weight: Decimal) -> Decimal:
    if isinstance(weight, bool) or not isinstance(weight, (Decimal, int)):
        raise InvalidWeight(f"Give the weight as a Decimal number of grams (got {weight!r}); e.g. parse_weight('85g').")
    weight = Decimal(weight)
    if not weight.is_finite() or weight <= 0:
        raise InvalidWeight(
            f"The weight must be more than 0 g (got {weight} g); put the item on the scale and weigh it again."
        )
    return weight


def _step_label(table: RateTable, step: WeightStep) -> str:
    text = _weight_text(table, step.up_to)
    return text if table.rounding.rule == "next_step" else f"≤ {text}"


def _weight_text(table: RateTable, amount: Decimal) -> str:
    return f"{_plain(amount)} {table.rounding.weight_unit}"


def _measured_text(table: RateTable, grams: Decimal) -> str:
    text = f"{_plain(grams)} g"
    unit = table.rounding.weight_unit
    if unit != "g":
        text += f" ({_plain(from_grams(grams, unit).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP))} {unit})"
    return text


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _whole(amount: Decimal) -> int:
    return int(amount.to_integral_value(rounding=ROUND_CEILING))


def _plain(amount: Decimal) -> str:
    return format(amount.normalize(), "f")
