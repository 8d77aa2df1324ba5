# CPython 3.11.7 (PSF-2.0), Lib/http/server.py; see README.md

import socket # For gethostbyaddr()


def _get_best_family(*address):
    infos = socket.getaddrinfo(
        *address,
        type=socket.SOCK_STREAM,
        flags=socket.AI_PASSIVE,
    )
    family, type, proto, canonname, sockaddr = next(iter(infos))
    return family, sockaddr
