"""The play session item (fields as in v1.0); its place in play order (LSI1) is
campaigns_site.table_keys.play_order_key."""

from datetime import date

from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.expressions.condition import size

from campaigns_site.table import TableModel
from sessions.core import storage_keys
from sessions.core.segments import format_time
from sessions.core.transcript_formats import FORMAT_NAMES


class PlaySession(TableModel, discriminator="PlaySession"):
    """PK `USER#<sub>`, SK `SESSION#<campaign_id>#<session_id>`, LSI1SK from play_order_key()."""

    title = UnicodeAttribute()
    number = NumberAttribute(null=True)  # may be missing, and may repeat
    played_on = UnicodeAttribute(null=True)  # an ISO date, "2024-05-31": a day, not an instant
    notes = UnicodeAttribute(default="")
    created = UTCDateTimeAttribute()
    updated = UTCDateTimeAttribute()
    # The size of this session's transcript, as counted in its campaign's transcript_bytes:
    # a delete or a move takes exactly this much off. Set with the transcript fields.
    transcript_bytes = NumberAttribute(default=0)
    # Every write of the session's children (summaries, share links, search item, job)
    # adds 1 here in its own transaction, conditioned on the session existing. A delete
    # or move that read the children conditions on this, so one written meanwhile makes
    # it read again instead of leaving an orphan. Not `version`: a finished summary must
    # not make an open edit form stale.
    children_version = NumberAttribute(default=0)
    # How many share links were ever made for it (never lowered: a revoke does not know
    # the session's campaign). The session page lists links only once it is above 0.
    share_links_made = NumberAttribute(default=0)
    # The hashes of its share links (ADD with each link's puts, DELETE with its revoke), so
    # its pages read the links by key in the BatchGetItem they make anyway (issue 17). None
    # with share_links_made above 0: links made before the list, found by a Query until the
    # next link made adds them (sessions.sharing.repository.put_new_link). A hash can stay
    # after its link expired and its TTL took it: that key finds nothing.
    share_link_hashes = UnicodeSetAttribute(null=True)
    # Kinds of summary kept from v1.0 under a name this app does not write (KINDS), added
    # by sessions.summaries.repository.save_imported_summary: the share page reads every
    # summary by key in its one BatchGetItem, and these keys are not in KINDS.
    other_summary_kinds = UnicodeSetAttribute(null=True)
    version = VersionAttribute()

    @classmethod
    def other_kinds_are(cls, kinds):
        """The write condition "its other_summary_kinds are exactly `kinds`" (a share link
        made with a copy of them: sessions.sharing.repository.put_new_link)."""
        if not kinds:
            return cls.other_summary_kinds.does_not_exist()
        condition = size(cls.other_summary_kinds) == len(kinds)
        for kind in sorted(kinds):
            condition &= cls.other_summary_kinds.contains(kind)
        return condition

    # The transcript, when one is attached (sessions/transcripts/services.py). Only what describes
    # it: the text lives in S3 under the upload's own prefix, the original beside its
    # normalized segments. All of these are set or removed together.
    transcript_upload_id = UnicodeAttribute(null=True)  # names the objects' prefix
    transcript_filename = UnicodeAttribute(null=True)  # as the uploader's browser named it ("" if unknown)
    transcript_format = UnicodeAttribute(null=True)  # a key of sessions.core.transcript_formats.FORMAT_NAMES
    transcript_encoding = UnicodeAttribute(null=True)  # a Python codec name ("utf-8", "cp1252", ...)
    transcript_sha256 = UnicodeAttribute(null=True)  # of the original's bytes
    transcript_segment_count = NumberAttribute(null=True)
    transcript_duration = NumberAttribute(null=True)  # seconds; None for a file without times
    transcript_speaker_count = NumberAttribute(null=True)
    # The first speakers' labels, as many as fit TRANSCRIPT_SPEAKERS_BUDGET: the item stays
    # small whatever the file. All of them are in the normalized object's header.
    transcript_speakers = ListAttribute(of=UnicodeAttribute, null=True)
    transcript_uploaded = UTCDateTimeAttribute(null=True)

    def unchanged_since_read(self):
        """The write condition that this session was neither edited nor given a summary or
        share link since it was read (children_version): what we read of it and its
        children is still all of it."""
        children = PlaySession.children_version == self.children_version
        if not self.children_version:
            children |= PlaySession.children_version.does_not_exist()  # an item older than the attribute
        return (PlaySession.version == self.version) & children

    @property
    def campaign_id(self):
        return self.sk.split("#")[1]

    @property
    def played_on_date(self):
        """played_on as a date (for templates' date filter), or None."""
        return date.fromisoformat(self.played_on) if self.played_on else None

    @property
    def session_id(self):
        return self.sk.split("#")[2]

    @property
    def has_transcript(self):
        return bool(self.transcript_upload_id)

    @property
    def owner_sub(self):
        return self.pk.removeprefix("USER#")

    @property
    def transcript_original_key(self):
        return storage_keys.original_key(
            sub=self.owner_sub, session_id=self.session_id, upload_id=self.transcript_upload_id
        )

    @property
    def transcript_segments_key(self):
        return storage_keys.segments_key(
            sub=self.owner_sub, session_id=self.session_id, upload_id=self.transcript_upload_id
        )

    @property
    def transcript_format_name(self):
        return FORMAT_NAMES.get(self.transcript_format, self.transcript_format)

    @property
    def transcript_duration_text(self):
        """ "4:02:11" (or "12:05" under an hour); "" for a transcript without times."""
        if self.transcript_duration is None:
            return ""
        return format_time(self.transcript_duration)

    @property
    def more_speakers(self):
        """How many speakers the item does not list (see transcript_speakers)."""
        return (self.transcript_speaker_count or 0) - len(self.transcript_speakers or [])


# Share links (`SHARE#<sha256(token)>` / `SHARE`) and their pointers in the owner's
# partition (`SHARELINK#<sha256(token)>`) name the session they share by these two
# attributes (see docs/data-model.md). Their models come with sharing; moving and
# deleting a session rely on these names now.
SHARED_CAMPAIGN_ID = UnicodeAttribute(attr_name="campaign_id")
SHARED_SESSION_ID = UnicodeAttribute(attr_name="session_id")
