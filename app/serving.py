"""Worker processes that each accept on a listening socket of their own (SO_REUSEPORT).

uvicorn's supervisor binds one socket and hands it to every worker; with a few keep-alive connections (a load test,
a QA suite's connection pool) the kernel then often gives most of them to whichever worker accepts first, and
one core idles. With a socket per worker on the same port, the kernel spreads new connections over the workers.
The supervisor itself (restarts of dead workers, signals, health pings) stays uvicorn's.
"""

import socket

import uvicorn
from uvicorn.supervisors import multiprocess


def listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


class ReusePortWorker(multiprocess.Process):
    def target(self, sockets: list[socket.socket] | None = None) -> None:  # runs in the worker process
        super().target([listening_socket(self.config.host, self.config.port, self.config.backlog)])


def run_workers(config: uvicorn.Config) -> None:
    """Serve with `config.workers` processes, each on its own listening socket."""
    # Sockets with SO_REUSEPORT would share the port with another sandbox still running: refuse, as a bind would.
    try:
        socket.create_connection((config.host, config.port), timeout=0.5).close()
    except OSError:
        pass
    else:
        raise SystemExit(f"port {config.port} on {config.host} is in use")
    listening_socket(config.host, config.port, 1).close()  # fails now, clearly, if another program holds it
    multiprocess.Process = ReusePortWorker  # type: ignore[misc]  # the supervisor makes its workers from this name
    multiprocess.Multiprocess(config, sockets=[]).run()
