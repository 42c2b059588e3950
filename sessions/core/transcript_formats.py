"""The transcript formats we read, by the name a session item stores
(PlaySession.transcript_format): plain constants, so that the item can name its format
without loading the parsers (sessions/transcripts/parsing/)."""

FORMAT_NAMES = {
    "text": "plain text (Name: words)",
    "vtt": "WebVTT",
    "srt": "SRT",
    "whisper_json": "Whisper JSON",
}
