"""What applying one change of v1.0's log did (PassResult.outcomes counts them)."""

APPLIED = "applied"  # something here changed
UNCHANGED = "unchanged"  # everything matched already (a change applied before, or a no-op)
SKIPPED = "skipped"  # about something not brought over (a user the import left out, OAuth rows...)
KEPT_HERE = "kept here"  # a conflict: this app's later change stands (recorded)
