"""The items an export's lines become, built from the records exports/format.py describes:
the inverse of its *_record functions, for what the repositories take as items (a summary)
or as arguments (a campaign, a session, a share link)."""

from campaigns_site.table_keys import story_summary_sk, summary_sk, user_pk
from exports.format import parse_moment
from sessions.summaries.items import Summary


def campaign_arguments(record):
    """create_campaign's arguments for a campaigns.jsonl line."""
    return {
        "campaign_id": record["id"],
        "name": record["name"],
        "description": record["description"],
        "game_system": record["game_system"],
        "archived": record["archived"],
        "created": parse_moment(record["created"]),
        "updated": parse_moment(record["updated"]),
    }


def session_arguments(record):
    """create_session's arguments for a sessions.jsonl line (the transcript apart)."""
    return {
        "campaign_id": record["campaign_id"],
        "session_id": record["id"],
        "title": record["title"],
        "number": record["number"],
        "played_on": record["played_on"],
        "notes": record["notes"],
        "created": parse_moment(record["created"]),
        "updated": parse_moment(record["updated"]),
    }


def summary_item(record, *, sub):
    """The Summary item of a summaries.jsonl line, every attribute as exported (version 1)."""
    campaign_id, session_id = record["campaign_id"], record["session_id"]
    sk = story_summary_sk(campaign_id) if session_id is None else summary_sk(campaign_id, session_id, record["kind"])
    return Summary(
        user_pk(sub),
        sk,
        kind=record["kind"],
        length=record["length"],
        text=record["text"],
        text_format=record["text_format"],
        provider=record["provider"],
        model=record["model"],
        input_tokens=record["input_tokens"],
        output_tokens=record["output_tokens"],
        tokens_estimated=record["tokens_estimated"],
        estimated_cost_text=record["estimated_cost_usd"],
        created=parse_moment(record["created"]),
        updated=parse_moment(record["updated"]),
        edited=record["edited"],
        source_sha256=record["source_sha256"],
        source_count=record["source_count"],
        fallback_reason=record["fallback_reason"],
        speaker_names_sha=record["speaker_names_sha"],
        version=1,
    )


def share_link_arguments(record):
    """import_share_link's arguments for a share_links.jsonl line with its token hash."""
    return {
        "campaign_id": record["campaign_id"],
        "session_id": record["session_id"],
        "token_hash": record["token_hash"],
        "scope": record["scope"],
        "created": parse_moment(record["created"]),
        "expires": parse_moment(record["expires"]),
        "view_limit": record["view_limit"],
        "label": record["label"],
        "characters_only": record["characters_only"],
        "views": record["views"],
        "last_viewed": parse_moment(record["last_viewed"]),
    }
