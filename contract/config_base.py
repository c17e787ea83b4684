"""Building blocks shared by every config section's models."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Ids end up in MQTT topics and Home Assistant unique ids, so they are
# restricted to characters that are safe in both.
DeviceId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
Port = Annotated[int, Field(ge=1, le=65535)]
Seconds = Annotated[float, Field(gt=0, le=300)]
LANGUAGES = ("en", "ro", "de", "fr", "pl")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
