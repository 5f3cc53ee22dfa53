"""Where the sandbox may send requests of its own (webhook deliveries, clients' `jwks_uri`): never into the network
it runs in. Each destination is checked after DNS resolution, right before every request, and the request connects
to the address that was checked (`PinnedTransport`), so a name that resolves elsewhere a moment later (DNS
rebinding) changes nothing; redirects are not followed. Loopback is allowed only while the sandbox itself listens
on loopback (local development and test suites); private, link-local (cloud metadata), reserved and multicast
addresses only when the operator lists their network in `VNEID_OUTBOUND_ALLOWED_NETWORKS`.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

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
        self.addresses(url)

    def addresses(self, url: str) -> list[IPAddress]:
        """The addresses the URL's host resolves to, in resolver order, once every one is checked; none for a name
        that does not resolve (the request itself cannot resolve it either, and fails on its own)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DestinationRefused(f"{url!r} is not an http(s) URL")
        try:
            infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            return []
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
        for address in addresses:
            reason = self._refusal(address)
            if reason:
                raise DestinationRefused(f"{parts.hostname} resolves to {address}, {reason}", address=str(address))
        return addresses

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


class PinnedTransport(httpx.BaseTransport):
    """The transport of every request the sandbox sends on its own: checks the destination and connects to the
    address it checked. The `Host` header and, for https, the TLS server name (so the certificate check) stay the
    URL's name."""

    def __init__(self, policy: OutboundPolicy, inner: httpx.BaseTransport | None = None) -> None:
        self._policy = policy
        self._inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        name = request.url.host
        try:
            addresses = self._policy.addresses(str(request.url))
        except DestinationRefused as refused:
            raise httpx.ConnectError(refused.detail, request=request) from None
        if request.url.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": name}
        failure = httpx.ConnectError(f"{name} does not resolve", request=request)
        for address in addresses:  # in order, as a connection to the name would try them (localhost: ::1, 127.0.0.1)
            request.url = request.url.copy_with(host=str(address))  # the Host header was set from the name
            try:
                return self._inner.handle_request(request)
            except httpx.ConnectError as refused:
                failure = refused
        raise failure

    def close(self) -> None:
        self._inner.close()
