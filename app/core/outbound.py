"""Where the sandbox may send requests of its own (webhook deliveries, clients' `jwks_uri`): never into the network
it runs in. Each destination is checked after DNS resolution, right before every request; redirects are not
followed. Loopback is allowed only while the sandbox itself listens on loopback (local development and test
suites); private, link-local (cloud metadata), reserved and multicast addresses only when the operator lists
their network in `VNEID_OUTBOUND_ALLOWED_NETWORKS`.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.core.config import Settings
from app.core.errors import AppError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class DestinationRefused(AppError):
    status, code, title = 422, "destination_not_allowed", "The sandbox does not send requests there"


@dataclass(frozen=True)
class OutboundPolicy:
    allow_loopback: bool
    allowed_networks: tuple[IPNetwork, ...]

    @classmethod
    def of(cls, settings: Settings) -> "OutboundPolicy":
        return cls(
            allow_loopback=settings.host in LOOPBACK_HOSTS, allowed_networks=tuple(settings.outbound_allowed_networks)
        )

    def check(self, url: str) -> None:
        """DestinationRefused unless every address the URL's host resolves to may be reached."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DestinationRefused(f"{url!r} is not an http(s) URL")
        try:
            infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            return  # nothing to check: the request itself cannot resolve the name either, and fails on its own
        for address in {ipaddress.ip_address(info[4][0]) for info in infos}:
            reason = self._refusal(address)
            if reason:
                raise DestinationRefused(f"{parts.hostname} resolves to {address}, {reason}", address=str(address))

    def _refusal(self, address: IPAddress) -> str | None:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:169.254.169.254 is 169.254.169.254
        if any(address in network for network in self.allowed_networks):
            return None
        if address.is_loopback:
            return None if self.allow_loopback else "a loopback address (allowed only while the sandbox listens there)"
        if address.is_link_local:
            return "a link-local address (cloud metadata services live there)"
        if not address.is_global or address.is_multicast:
            return "an address of a private or reserved network (list it in VNEID_OUTBOUND_ALLOWED_NETWORKS to allow)"
        return None
