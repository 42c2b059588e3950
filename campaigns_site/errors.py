"""The errors every repository raises and every view answers (campaigns_site.views' messages)."""


class NotFound(Exception):
    """The user has no such item: a view answers 404."""


class StillChanging(Exception):
    """The item changed under every attempt to write it; nothing was written. Try again later."""


class StaleEdit(Exception):
    """The item changed since the edit began. `current` is the item as stored now, so the
    form can show what changed and offer to apply the edit to it."""

    def __init__(self, current):
        super().__init__(f"stale edit of {current.sk}: now at version {current.version}")
        self.current = current


# --- reads ----------------------------------------------------------------------------
