"""Which bucket a client address counts in for the per-address rate limit. Pure.

IPv4: the address itself. IPv6: its /64 network – one household or phone usually has a whole
/64 and can pick a new address in it at will, so counting single IPv6 addresses would not limit
anyone. IPv4-mapped IPv6 addresses (::ffff:1.2.3.4) count as the IPv4 address.
"""
from __future__ import annotations

import ipaddress


def client_bucket(address: str) -> str:
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return (address or "unknown")[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
