"""A server that accepts connections and never answers: a Redis under SIGSTOP, as tests see it."""

import socket
import threading


class StalledServer:
    """A TCP server on loopback that accepts every connection and never sends a byte."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)  # kept open, never read, never answered

    def close(self):
        self.listener.close()
        for connection in self.held:
            connection.close()
