#!/usr/bin/env python3
"""Render deploy/nginx.conf into a site config nginx can load, on standard output.

Production (HTTPS on 443, HTTP redirected to it):

    python3 deploy/render_nginx.py --server-name stream.example.com \\
        --upstream 127.0.0.1:8001 --upstream 127.0.0.1:8002 \\
        --static-root /srv/stream/staticfiles > /etc/nginx/sites-available/stream

Plain HTTP on one address, without the TLS parts (what scripts/cluster runs):

    python3 deploy/render_nginx.py --plain-listen 127.0.0.1:8080 ...

Restarting a node without a request lost: render with `--drain 127.0.0.1:8001` and reload
nginx (it sends that node nothing new; requests in progress finish), restart the node, render
without it and reload again (README, "Production").

Standard library only, so that it runs with Debian's python3 before any virtualenv exists.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf"
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
BLOCK = re.compile(r"^# (>>>|<<<) (tls|plain)\s*$")


def render(
    template: str,
    *,
    values: dict[str, str],
    upstreams: list[str],
    tls: bool,
    drained: frozenset[str] = frozenset(),
) -> str:
    """The template with its blocks chosen, {{upstream}} lines repeated (a drained node's
    marked `down`: nginx sends it nothing new) and placeholders set."""
    keep = {"tls": tls, "plain": not tls}
    lines: list[str] = []
    inside: str | None = None
    for number, line in enumerate(template.splitlines(), start=1):
        marker = BLOCK.match(line)
        if marker:
            opening, name = marker.group(1) == ">>>", marker.group(2)
            if opening == (inside is not None) or (not opening and inside != name):
                raise ValueError(f"line {number}: unbalanced block marker {line.strip()!r}")
            inside = name if opening else None
            continue
        if inside is not None and not keep[inside]:
            continue
        if "{{upstream}}" in line:
            for upstream in upstreams:
                server = line.replace("{{upstream}}", upstream)
                if upstream in drained:
                    server = server.rstrip().removesuffix(";") + " down;"
                lines.append(server)
            continue
        lines.append(line)
    if inside is not None:
        raise ValueError(f"the block {inside!r} is never closed")

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise ValueError(f"no value for the placeholder {{{{{name}}}}}")
        return values[name]

    return PLACEHOLDER.sub(fill, "\n".join(lines)) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server-name", default="stream.example.com", help="the site's host name")
    parser.add_argument(
        "--upstream",
        action="append",
        metavar="HOST:PORT",
        help="an app node (gunicorn); repeat for each (default: 127.0.0.1:8001 and :8002)",
    )
    parser.add_argument(
        "--drain",
        action="append",
        default=[],
        metavar="HOST:PORT",
        help="an --upstream to send nothing new to (marked down), e.g. before restarting it",
    )
    parser.add_argument("--static-root", default="/srv/stream/staticfiles", help="STATIC_ROOT")
    parser.add_argument("--cache-dir", default="/var/cache/nginx/stream", help="proxy_cache_path")
    parser.add_argument("--log-dir", default="/var/log/nginx", help="where the site logs go")
    parser.add_argument(
        "--tls-certificate",
        help="the certificate chain (default: Let's Encrypt's fullchain.pem for --server-name)",
    )
    parser.add_argument(
        "--tls-certificate-key",
        help="its private key (default: Let's Encrypt's privkey.pem for --server-name)",
    )
    parser.add_argument(
        "--acme-root", default="/var/www/letsencrypt", help="certbot --webroot's folder"
    )
    parser.add_argument(
        "--plain-listen",
        metavar="ADDRESS:PORT",
        help="render the plain-HTTP variant listening here, without TLS and without the redirect",
    )
    args = parser.parse_args(argv)

    live = f"/etc/letsencrypt/live/{args.server_name}"
    values = {
        "server_name": args.server_name,
        "static_root": args.static_root.rstrip("/"),
        "cache_dir": args.cache_dir,
        "log_dir": args.log_dir.rstrip("/"),
        "tls_certificate": args.tls_certificate or f"{live}/fullchain.pem",
        "tls_certificate_key": args.tls_certificate_key or f"{live}/privkey.pem",
        "acme_root": args.acme_root,
        "plain_listen": args.plain_listen or "",
    }
    upstreams = args.upstream or ["127.0.0.1:8001", "127.0.0.1:8002"]
    if not set(args.drain) <= set(upstreams):
        parser.error(f"--drain names a node that is not an --upstream: {args.drain}")
    if set(upstreams) <= set(args.drain):
        parser.error("--drain would leave no node to send requests to")
    sys.stdout.write(
        render(
            TEMPLATE.read_text(encoding="utf-8"),
            values=values,
            upstreams=upstreams,
            tls=args.plain_listen is None,
            drained=frozenset(args.drain),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
