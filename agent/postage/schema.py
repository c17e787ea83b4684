"""The shape of a rate file, `rates/<carrier>-<effective-date>.toml`, as strict pydantic models.

Every model rejects unknown keys, so a misspelled key is an error instead of a
price that silently falls back to a default. Weights in `steps` are in the
table's `rounding.weight_unit`; money is Decimal, read from TOML without floats.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
Text = Annotated[str, StringConstraints(min_length=1)]
Money = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WeightStep(Strict):
    up_to: Positive  # inclusive upper limit, in the table's weight unit
    price: Money


class SizeLimit(Strict):
    length: Positive | None = None
    width: Positive | None = None
    thickness: Positive | None = None


class Surcharge(Strict):
    id: Id
    name: Text
    price: Money
    # The quote option that switches it on; only one exists so far.
    when: Literal["nonmachinable"]


class DestinationRates(Strict):
    steps: list[WeightStep] = Field(min_length=1)
    max_size_mm: SizeLimit | None = None
    surcharges: list[Surcharge] = []
    # Set when these prices come from another document than the table's source.
    source: Text | None = None
    note: Text | None = None

    @field_validator("steps")
    @classmethod
    def _strictly_increasing(cls, steps: list[WeightStep]) -> list[WeightStep]:
        for lighter, heavier in pairwise(steps):
            if heavier.up_to <= lighter.up_to:
                raise ValueError(
                    f"weight steps must go up strictly, but up_to = {heavier.up_to} comes after {lighter.up_to}"
                )
        return steps

    @property
    def weight_limit(self) -> Decimal:
        return self.steps[-1].up_to


class MailClass(Strict):
    name: Text
    destinations: dict[Id, DestinationRates] = Field(min_length=1)
    note: Text | None = None


class Source(Strict):
    document: Text
    url: Text | None = None
    read_on: date
    notes: Text | None = None


class Rounding(Strict):
    weight_unit: Literal["g", "oz"]
    # "next_step": charged for the step's weight, shown as "2 oz";
    # "band": charged for the band the weight falls in, shown as "≤ 50 g".
    # Both pick the lightest step whose limit is at least the weight.
    rule: Literal["next_step", "band"]
    # Weights and limits are compared at this resolution (a power of ten, in grams).
    weight_resolution_g: Positive
    # "first_step_plus_additional" shows the first step and the added ounces
    # as separate lines, the way staff put extra stamps on.
    breakdown: Literal["step_price", "first_step_plus_additional"]
    description: Text

    @field_validator("weight_resolution_g")
    @classmethod
    def _power_of_ten(cls, value: Decimal) -> Decimal:
        if value.normalize().as_tuple().digits != (1,):
            raise ValueError("must be a power of ten such as 0.01 or 1")
        return value


class RateTable(Strict):
    carrier: Id
    carrier_name: Text
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    effective_date: date
    source: Source
    rounding: Rounding
    not_verified: list[Text] = []
    classes: dict[Id, MailClass] = Field(min_length=1)

    def source_of(self, mail_class: str, destination: str) -> str:
        rates = self.classes[mail_class].destinations[destination]
        if rates.source:
            return rates.source
        url = f" <{self.source.url}>" if self.source.url else ""
        return f"{self.source.document}{url}"
