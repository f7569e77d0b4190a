#!/usr/bin/env python3
"""Listens on a unix socket and forwards each connection to a TCP address, as the Cloud SQL
Auth Proxy does for Cloud Run's /cloudsql/PROJECT:REGION:INSTANCE sockets. For
scripts/image-smoke.sh only.

usage: unix-socket-forward.py SOCKET_PATH HOST:PORT
"""
import os
import socket
import sys
import threading


def pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def main():
    path, target = sys.argv[1], sys.argv[2]
    host, port = target.rsplit(":", 1)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    # The service runs as another user than this script (the image's non-root user).
    os.chmod(path, 0o777)
    server.listen(64)
    while True:
        client, _ = server.accept()
        upstream = socket.create_connection((host, int(port)), timeout=10)
        upstream.settimeout(None)
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=pipe, args=(a, b), daemon=True).start()


if __name__ == "__main__":
    main()
