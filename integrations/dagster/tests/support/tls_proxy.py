"""A private CA and TLS endpoints in front of the stack's MinIO and Redis, for the TLS tests.

``make_ca`` creates a self-signed CA and a server certificate for 127.0.0.1/localhost with
Debian's ``openssl``. ``TlsProxy`` serves TLS with that certificate on a loopback port and
relays each connection's bytes to a plain service port, so every floe client (Node and Python)
does a real TLS handshake and certificate check against the private CA while the data lands in
the one MinIO and Redis the catalog and the judge also use. It runs on its own event loop in a
daemon thread and is closed by the test that started it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PrivateCa:
    ca_cert: Path
    server_cert: Path
    server_key: Path


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_ca(directory: Path) -> PrivateCa:
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca_cert = directory / "ca.key", directory / "ca.pem"
    key, csr, cert = directory / "server.key", directory / "server.csr", directory / "server.pem"
    extensions = directory / "server.ext"
    extensions.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n", encoding="utf-8")
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=floe test CA",
        "-keyout", str(ca_key), "-out", str(ca_cert),
    )  # fmt: skip
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(csr))
    _openssl(
        "x509", "-req", "-in", str(csr), "-CA", str(ca_cert), "-CAkey", str(ca_key), "-CAcreateserial",
        "-days", "2", "-extfile", str(extensions), "-out", str(cert),
    )  # fmt: skip
    return PrivateCa(ca_cert, cert, key)


class TlsProxy:
    """TLS on ``port`` (127.0.0.1), relayed to the plain service on ``target_port``."""

    def __init__(self, ca: PrivateCa, target_port: int) -> None:
        self.target_port = target_port
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(str(ca.server_cert), str(ca.server_key))
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        if not self.ready.wait(30):
            raise RuntimeError("the TLS proxy did not start")

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def start() -> None:
            server = await asyncio.start_server(self._relay, "127.0.0.1", 0, ssl=self.context)
            self.port = server.sockets[0].getsockname()[1]
            self.ready.set()

        self.loop.run_until_complete(start())
        self.loop.run_forever()

    async def _relay(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            service_reader, service_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_writer.close()
            return

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError, ssl.SSLError):
                while chunk := await reader.read(65536):
                    writer.write(chunk)
                    await writer.drain()
            with contextlib.suppress(Exception):
                writer.close()

        await asyncio.gather(pipe(client_reader, service_writer), pipe(service_reader, client_writer))

    def close(self) -> None:
        async def shutdown() -> None:
            relays = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in relays:
                task.cancel()
            await asyncio.gather(*relays, return_exceptions=True)
            self.loop.stop()

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop)
        self.thread.join(timeout=10)
