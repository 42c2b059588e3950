"""The kinds and lengths of summaries: plain constants, for forms and pages.

Apart from sessions/summarizers so that the URLconf, which imports every view module,
does not build the summarizers' classes and patterns at a cold start that serves the
home page (scripts/bench_coldstart.py).
"""

KINDS = {
    "recap": "Recap (previously on…)",
    "key_events": "Key events",
    "npcs": "NPCs",
    "locations": "Locations",
    "loot": "Loot and items",
    "open_threads": "Open threads and quests",
}
LENGTHS = {"brief": "Brief", "standard": "Standard", "detailed": "Detailed"}

# The kind of a campaign-level recap built from its sessions' summaries.
STORY_SO_FAR = "story_so_far"


def in_kinds_order(summaries):
    """Summaries in KINDS order, then v1.0's own kinds by name."""
    order = {kind: index for index, kind in enumerate(KINDS)}
    return sorted(summaries, key=lambda summary: (order.get(summary.kind, len(order)), summary.kind))
