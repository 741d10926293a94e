"""Static files in production: WhiteNoise's compressed, content-hashed files, each URL
worked out once per process.

The manifest of hashed names is read once at start-up and only `collectstatic` with a
restart changes it, yet the storage looks each name up again (cleaning, splitting and
joining it) for every `{% static %}`: the eight of base.html were a sixth of its rendering
(issue 10)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool], str] = {}

    def url(self, name, force=False):
        key = (name, force)
        if key not in self._urls:
            # A missing file raises (manifest_strict) and is never remembered.
            self._urls[key] = super().url(name, force)
        return self._urls[key]
