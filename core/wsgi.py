"""WSGI glue: a request body that ends before its announced length is a broken connection, not a request.

gunicorn (like wsgiref) hands a body cut short by the client over as if it were complete: reads simply
return nothing once the socket is closed. Django would then parse the half it got, and the evidence form
(CSRF token first, then the files, then the other fields) would arrive valid but without its file or its
note: a draft saved empty, or an existing note and links wiped. ``complete_bodies`` makes such a read raise
``UnreadablePostError`` (an ``OSError``, what Django expects of a server whose client hung up), and
``core.middleware.IncompleteBodyMiddleware`` answers 400 before any view runs.
"""

from django.http import UnreadablePostError


class CompleteBodyInput:
    """``wsgi.input`` that raises when it runs dry before ``length`` bytes were read."""

    def __init__(self, stream, length: int):
        self._stream = stream
        self._left = length

    def _count(self, data: bytes, wanted: int) -> bytes:
        if wanted > 0 and not data:
            raise UnreadablePostError(f"the client closed the connection with {self._left} bytes of the body unsent")
        self._left -= len(data)
        return data

    def _wanted(self, size) -> int:
        return self._left if size is None or size < 0 else min(size, self._left)

    def read(self, size=-1, /) -> bytes:
        wanted = self._wanted(size)
        return self._count(self._stream.read(wanted) if wanted > 0 else b"", wanted)

    def readline(self, size=-1, /) -> bytes:
        wanted = self._wanted(size)
        return self._count(self._stream.readline(wanted) if wanted > 0 else b"", wanted)

    def __iter__(self):
        while line := self.readline():
            yield line


def complete_bodies(application):
    """Wrap a WSGI application so that every body with a Content-Length is checked for completeness."""

    def guarded(environ, start_response):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > 0 and "wsgi.input" in environ:
            environ["wsgi.input"] = CompleteBodyInput(environ["wsgi.input"], length)
        return application(environ, start_response)

    return guarded
