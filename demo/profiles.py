"""How each demo dealer works, drawn once so that every builder tells the same story about it.

A working network: complaints come in at 0.8–3.2 per 100 delivered service jobs (the network's target is
2), about a third of them from dissatisfied follow-up calls, and 62–90 % of the closed ones are closed
within the reply limit; every dealer somewhere else in those ranges, so the ranking has spread.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass
class DealerProfile:
    complaints_per_100_jobs: float  # every complaint, whatever its channel, per 100 delivered service jobs
    from_calls: float  # the share of those opened by a dissatisfied follow-up call
    care: float  # how reliably the representative works complaints: first contact, pace, hold follow-ups
    closed_in_time: float  # the share of closed complaints closed within the reply limit (time on hold aside)
    # Which closed complaints are closed in time: one quota for the dealer's complaints of every channel.
    in_time: Quota

    @property
    def direct_per_100_jobs(self) -> float:
        return self.complaints_per_100_jobs * (1 - self.from_calls)

    @property
    def from_calls_per_100_jobs(self) -> float:
        return self.complaints_per_100_jobs * self.from_calls


def dealer_profile_draw(rng: random.Random) -> DealerProfile:
    care = rng.uniform(0.6, 0.97)
    in_time = min(0.9, max(0.62, 0.62 + 0.28 * (care - 0.6) / 0.37 + rng.gauss(0, 0.03)))
    return DealerProfile(complaints_per_100_jobs=rng.uniform(0.8, 3.2), from_calls=rng.uniform(0.25, 0.4),
                         care=care, closed_in_time=in_time, in_time=Quota(rng, in_time))


class Quota:
    """Hands out yeses at a given rate, randomly but evenly: after n chances about rate × n, never far off.

    ``accrue`` adds to what is owed, ``take`` says yes with the probability owed (and pays one back), so a
    small dealer's dozen complaints still show its share instead of the luck of a dozen coin tosses.
    """

    def __init__(self, rng: random.Random, rate: float = 0.0):
        self.rng, self.rate = rng, rate
        self.owed = rng.random() * rate

    def accrue(self, amount: float | None = None) -> None:
        self.owed += self.rate if amount is None else amount

    def take(self) -> bool:
        if self.owed > 0 and self.rng.random() < self.owed:
            self.owed -= 1
            return True
        return False

    def draw(self) -> bool:
        self.accrue()
        return self.take()

    def refund(self) -> None:
        """A yes that did not happen after all: it is owed again."""
        self.owed += 1

    def void(self, *, took: bool) -> None:
        """A chance that did not count after all (the complaint is not closed yet): as if never drawn."""
        self.owed -= self.rate
        if took:
            self.owed += 1
