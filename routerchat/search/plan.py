"""How a search runs (pure: no Flask, no database); `sql.py` builds the SQL for the choice.

Every word is required, and a page holds the newest `limit` matches. Two plans, chosen per search
from a bounded sample of each word (one short statement), keep that fast at any size:
- some word has few matches, or they sit in few conversations: its matches through the index are
  the candidates, and the other words are checked only within them (cost: that word's matches);
- every word is common: the newest conversations are read in order and checked one by one until
  the page is full (cost: about `limit` × conversations ÷ conversations having all the words).
A word too short for the index is sampled over the first messages instead: rare there, it drives
the search by reading every message once (nothing faster exists for it); else it is checked
conversation by conversation. Building each word's whole set of matches and intersecting them, as
before, took over a second for a word found in every message of 100,000 conversations. What stays
slow is the rare search for two common words seldom found together: every conversation is read.
"""
from __future__ import annotations

from dataclasses import dataclass

MIN_INDEXED_CHARS = 3  # trigram index: shorter words cannot use it
SAMPLED_MATCHES = 10_000  # matches (or, for a word the index cannot serve, messages) read at most
COMMON_CONVERSATIONS = 500  # a word with more matches, in at least this many conversations, is common
RARE_IN_HEAD = 50  # a word the index cannot serve is rare when the sampled messages hold fewer hits


@dataclass(frozen=True)
class WordSample:
    """How common a word is, counted no further than the sample. Through the index: its matches
    (messages and titles: what driving the search from it reads) and the distinct conversations
    among them. Otherwise (`indexed` False): its hits among the first messages."""
    matches: int
    conversations: int = 0
    indexed: bool = True

    @property
    def drives_cheaply(self) -> bool:
        """Its matches fit in the sample, or sit in few conversations: reading them is cheaper
        than reading conversations one by one."""
        return self.indexed and (self.matches < SAMPLED_MATCHES or self.conversations < COMMON_CONVERSATIONS)

    @property
    def rare_unindexed(self) -> bool:
        """Too rare to be found soon conversation by conversation: worth one read of every message."""
        return not self.indexed and self.matches < RARE_IN_HEAD


def search_plan(samples: list[WordSample]) -> tuple[list[int], bool]:
    """The words' order, and whether the first drives the search (else the newest conversations
    are checked one by one). Indexed words come first, rarest first, so row-by-row checks fail early."""
    order = sorted(range(len(samples)), key=lambda i: (not samples[i].indexed, samples[i].matches))
    if samples[order[0]].drives_cheaply:
        return order, True
    rare = [i for i in order if samples[i].rare_unindexed]
    if rare:
        return [rare[0]] + [i for i in order if i != rare[0]], True
    return order, False
