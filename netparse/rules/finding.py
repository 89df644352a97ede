"""The record a rule produces: one problem, with the numbers and the sockets that show it."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from ..states import TcpState


class Severity(StrEnum):
    """How bad a finding is. Compare with :attr:`rank` (``critical`` > ``warning`` > ``info``)."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class Finding(BaseModel):
    """One anomaly. The dimension fields (``state`` ... ``pid``) say what it is about; the ones
    that do not apply stay ``None``. ``evidence`` holds a few input line numbers to look at."""

    model_config = ConfigDict(frozen=True)

    rule: str = Field(description="Readable rule name, e.g. close-wait-leak")
    code: str = Field(description="Stable rule code, e.g. NP001")
    severity: Severity
    message: str = Field(description="One sentence a person can act on, with the numbers in it")
    count: int = Field(description="How many sockets (or queued connections) the finding is about")
    state: TcpState | None = None
    local_address: str | None = None
    local_port: int | None = None
    remote_address: str | None = None
    remote_port: int | None = None
    process: str | None = None
    pid: int | None = None
    evidence: list[int] = Field(default_factory=list, description="Input line numbers of example sockets")


def sort_key(finding: Finding) -> tuple:
    """Worst first: severity, then size, then code and the dimension, so the order is stable."""
    return (
        -finding.severity.rank,
        -finding.count,
        finding.code,
        finding.local_port if finding.local_port is not None else -1,
        finding.remote_address or "",
        finding.remote_port if finding.remote_port is not None else -1,
        finding.process or "",
    )
