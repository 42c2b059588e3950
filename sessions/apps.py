from django.apps import AppConfig


class PlaySessionsConfig(AppConfig):
    # django.contrib.sessions owns the label "sessions".
    name = "sessions"
    label = "play_sessions"
    verbose_name = "Play sessions"
