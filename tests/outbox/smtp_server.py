"""A minimal SMTP server on a free local port: enough of RFC 5321 for smtplib to deliver a message to it."""

from __future__ import annotations

import socket
import socketserver
import threading
from contextlib import contextmanager


def free_port() -> int:
    """A local port nothing listens on (bound and released): connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Session(socketserver.StreamRequestHandler):
    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        self._reply("220 test SMTP ready")
        recipients, in_data, data = [], False, []
        for raw in self.rfile:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if in_data:
                if line == ".":
                    self.server.data_seen.set()
                    if self.server.hold.is_set():
                        self.rfile.read()  # the client waits for "250 accepted" until it goes away
                        return
                    self.server.received.append({"to": recipients, "data": "\n".join(data)})
                    recipients, in_data, data = [], False, []
                    self._reply("250 accepted")
                else:
                    data.append(line[1:] if line.startswith("..") else line)
                continue
            verb = line[:4].upper()
            if verb == "EHLO":
                self._reply("250 test")
            elif verb == "RCPT":
                recipients.append(line.split(":", 1)[1].strip(" <>"))
                self._reply("250 ok")
            elif verb == "DATA":
                in_data = True
                self._reply("354 go on")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:  # HELO, MAIL, RSET, NOOP
                self._reply("250 ok")


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int):
        super().__init__(("127.0.0.1", port), _Session)
        self.received = []  # the messages accepted (250 after DATA)
        self.data_seen = threading.Event()  # a message's data has come in whole
        self.hold = threading.Event()  # while set, no message is accepted: the reply to DATA never comes


@contextmanager
def smtp_server(port: int, *, hold: bool = False):
    """Listen on ``port`` for the block; yields the server (``received``: the messages it accepted)."""
    server = SMTPServer(port)
    if hold:
        server.hold.set()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
