"""The answer of ``GET /api/cold-chain``, as pydantic models: a unit's or a container's exposure
judged, or a lot's verdicts counted. Times are ISO 8601 in UTC."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from unitrace.coldchain import StorageConditions
from unitrace.coldchain.exposure import Excursion, Gap, Period, Source
from unitrace.coldchain.instants import instant
from unitrace.services.cold_chain.breaches import LotJudged
from unitrace.services.cold_chain.view import Exposure, LotExposure


class ExcursionAllowanceOut(BaseModel):
    min_c: float
    max_c: float
    max_minutes: int


class MktOut(BaseModel):
    max_c: float
    window: Literal["24h", "30d"]
    delta_h_over_r: float


class ConditionsOut(BaseModel):
    min_c: float
    max_c: float
    excursion: ExcursionAllowanceOut | None
    mkt: MktOut

    @classmethod
    def of(cls, conditions: StorageConditions | None) -> ConditionsOut | None:
        if conditions is None:
            return None
        allowance = conditions.excursion
        return cls(
            min_c=conditions.min_c,
            max_c=conditions.max_c,
            excursion=ExcursionAllowanceOut(
                min_c=allowance.min_c, max_c=allowance.max_c, max_minutes=allowance.max_minutes
            )
            if allowance is not None
            else None,
            mkt=MktOut(
                max_c=conditions.mkt.max_c,
                window=conditions.mkt.window.value,
                delta_h_over_r=conditions.mkt.delta_h_over_r,
            ),
        )


class SourceOut(BaseModel):
    kind: Literal["unit", "container", "shipment", "location"] = Field(
        description="What the device was attached to."
    )
    target: str = Field(description="Its EPC, the shipping event's eventID, or the GLN.")
    device: str
    label: str

    @classmethod
    def of(cls, source: Source) -> SourceOut:
        return cls(
            kind=source.kind,  # type: ignore[arg-type]
            target=source.target,
            device=source.device,
            label=source.label(),
        )


class PeriodOut(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, populate_by_name=True)
    from_: dt.datetime = Field(alias="from", serialization_alias="from")
    until: dt.datetime
    source: SourceOut
    readings: int

    @classmethod
    def of(cls, period: Period) -> PeriodOut:
        return cls.model_validate(
            {
                "from": instant(period.start_ms),
                "until": instant(period.end_ms),
                "source": SourceOut.of(period.source),
                "readings": period.readings,
            }
        )


class GapOut(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, populate_by_name=True)
    from_: dt.datetime = Field(alias="from", serialization_alias="from")
    until: dt.datetime
    minutes: float
    reason: str

    @classmethod
    def of(cls, gap: Gap) -> GapOut:
        return cls.model_validate(
            {
                "from": instant(gap.start_ms),
                "until": instant(gap.end_ms),
                "minutes": round(gap.minutes, 2),
                "reason": gap.reason,
            }
        )


class ExcursionOut(BaseModel):
    start: dt.datetime
    end: dt.datetime
    peak_c: float
    minutes: float
    allowed: bool = Field(description="Whether it stayed within the product's excursion band.")
    source: SourceOut

    @classmethod
    def of(cls, excursion: Excursion) -> ExcursionOut:
        return cls(
            start=instant(excursion.start_ms),
            end=instant(excursion.end_ms),
            peak_c=round(excursion.peak_c, 3),
            minutes=round(excursion.minutes, 2),
            allowed=excursion.allowed,
            source=SourceOut.of(excursion.source),
        )


Verdict = Literal["within", "allowed_excursion", "breach"]


class ExposureOut(BaseModel):
    """A unit's or a container's exposure, judged."""

    model_config = ConfigDict(serialize_by_alias=True, populate_by_name=True)

    subject: Literal["unit", "container"]
    epc: str
    gtin: str | None
    lot: str | None
    from_: dt.datetime = Field(alias="from", serialization_alias="from")
    until: dt.datetime
    conditions: ConditionsOut | None
    periods: list[PeriodOut]
    gaps: list[GapOut]
    min_c: float | None
    max_c: float | None
    mean_c: float | None
    mkt_c: float | None = Field(
        description="The warmest mean kinetic temperature over any window of the product's."
    )
    minutes_out_of_range: float
    excursions: list[ExcursionOut]
    verdict: Verdict | None = Field(
        description="None when no reading covers any of the time, or the product has no "
        "storage conditions."
    )
    reasons: list[str]

    @classmethod
    def of(cls, exposure: Exposure) -> ExposureOut:
        judged = exposure.judgement

        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 3)

        return cls.model_validate(
            {
                "subject": exposure.subject,
                "epc": exposure.epc,
                "gtin": exposure.gtin,
                "lot": exposure.lot,
                "from": instant(exposure.start_ms),
                "until": instant(exposure.end_ms),
                "conditions": ConditionsOut.of(exposure.conditions),
                "periods": [PeriodOut.of(period) for period in judged.periods],
                "gaps": [GapOut.of(gap) for gap in judged.gaps],
                "min_c": rounded(judged.min_c),
                "max_c": rounded(judged.max_c),
                "mean_c": rounded(judged.mean_c),
                "mkt_c": rounded(judged.mkt_c),
                "minutes_out_of_range": round(judged.minutes_out_of_range, 2),
                "excursions": [ExcursionOut.of(found) for found in judged.excursions],
                "verdict": judged.verdict.value if judged.verdict is not None else None,
                "reasons": list(judged.reasons),
            }
        )


class GroupOut(BaseModel):
    units: int
    exposure: ExposureOut


class LotExposureOut(BaseModel):
    """A lot's units judged, counted by verdict (``none``: not judged: no reading, or no
    conditions), and the exposures groups of them shared, the worst first."""

    subject: Literal["lot"] = "lot"
    gtin: str
    lot: str
    conditions: ConditionsOut | None
    units: int
    verdicts: dict[str, int]
    groups: list[GroupOut]

    @classmethod
    def of(cls, exposure: LotExposure) -> LotExposureOut:
        return cls(
            gtin=exposure.gtin,
            lot=exposure.lot,
            conditions=ConditionsOut.of(exposure.conditions),
            units=exposure.units,
            verdicts={
                "within": 0,
                "allowed_excursion": 0,
                "breach": 0,
                "none": 0,
                **{key or "none": count for key, count in exposure.verdicts.items()},
            },
            groups=[
                GroupOut(units=count, exposure=ExposureOut.of(found))
                for found, count in exposure.groups
            ],
        )


class LotJudgedOut(BaseModel):
    gtin: str
    lot: str
    units: int
    verdicts: dict[str, int] = Field(description="Units by verdict (none: not judged).")
    excursions: int = Field(description="Excursions recorded by this judgement.")
    breaches: int = Field(description="Of them, breaches.")
    held: int = Field(description="Units this judgement put on hold.")
    alerts: list[int] = Field(description="The temperature_excursion alerts it raised.")

    @classmethod
    def of(cls, lot: LotJudged) -> LotJudgedOut:
        return cls(
            gtin=lot.gtin,
            lot=lot.lot,
            units=lot.units,
            verdicts={key or "none": count for key, count in lot.verdicts.items()},
            excursions=lot.excursions,
            breaches=lot.breaches,
            held=lot.held,
            alerts=list(lot.alerts),
        )
