"""The result every plan-making task returns: one solved plan and its headline figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar


class Plan(Protocol):
    """A solved plan: whatever it holds, it sums itself up."""

    def summary(self) -> dict[str, object]:
        """Headline figures and the solver report of the plan."""
        ...


PlanT = TypeVar("PlanT", bound=Plan)


@dataclass
class PlanResult(Generic[PlanT]):
    """A task's result holding one solved plan; a service adds the files (``tables()``).

    Attributes
    ----------
    plan : Plan
        The solved plan.
    task : str
        The task that made it (``"plan"`` unless a subclass says otherwise).
    """

    plan: PlanT
    task: str = "plan"

    def summary(self) -> dict[str, object]:
        """Headline figures and the solver report of the plan."""
        return self.plan.summary()
