"""deploy/nginx.conf: both renderings load in nginx, and the cluster's nginx does what it says."""

from __future__ import annotations

import gzip
import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cluster.harness import PROJECT

pytestmark = pytest.mark.cluster

RENDERER = PROJECT / "deploy" / "render_nginx.py"
spec = importlib.util.spec_from_file_location("render_nginx", RENDERER)
render_nginx = importlib.util.module_from_spec(spec)
spec.loader.exec_module(render_nginx)

NODES = ["10.0.0.11:8001", "10.0.0.12:8001", "10.0.0.13:8001"]


def _render(tmp_path: Path, *extra: str) -> str:
    paths = ["--static-root", str(tmp_path / "static"), "--cache-dir", str(tmp_path / "cache")]
    paths += ["--log-dir", str(tmp_path)]
    nodes = [argument for node in NODES for argument in ("--upstream", node)]
    result = subprocess.run(
        ["python3", str(RENDERER), *paths, *nodes, *extra],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _nginx_accepts(tmp_path: Path, site: str) -> subprocess.CompletedProcess:
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        pytest.skip("nginx is not installed (scripts/test installs it)")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{ include /etc/nginx/mime.types; gzip on; include {tmp_path}/site.conf; }}\n"
    )
    return subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )


def test_production_rendering_serves_https_redirects_http_and_loads_in_nginx(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no throwaway certificate to load")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=stream.example.com", "-keyout", str(key), "-out", str(cert)],
        capture_output=True,
        check=True,
    )
    site = _render(tmp_path, "--tls-certificate", str(cert), "--tls-certificate-key", str(key))
    assert "listen 443 ssl" in site and "return 301 https://$host$request_uri;" in site
    assert f"ssl_certificate {cert};" in site
    checked = _nginx_accepts(tmp_path, site)
    assert checked.returncode == 0, checked.stderr


def test_cluster_rendering_is_plain_http_on_one_address_with_every_node(tmp_path):
    site = _render(tmp_path, "--plain-listen", "127.0.0.1:18080")
    assert "ssl" not in site and "return 301" not in site
    assert "listen 127.0.0.1:18080;" in site
    # Each node in both upstreams: the pages' and the probes'.
    for node in NODES:
        assert len(re.findall(rf"^\s+server {re.escape(node)} max_fails=", site, re.M)) == 2
    assert "{{" not in site
    checked = _nginx_accepts(tmp_path, site)
    assert checked.returncode == 0, checked.stderr


def test_a_marker_left_open_is_an_error():
    with pytest.raises(ValueError, match="never closed"):
        render_nginx.render("# >>> tls\nlisten 443;\n", values={}, upstreams=[], tls=True)


def test_static_files_come_from_nginx_compressed_and_cacheable_for_ever(cluster):
    page = cluster.get("/")
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page.body).group(1)
    response = cluster.get(stylesheet, headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    cache_control = ", ".join(response.headers.get_all("Cache-Control"))
    assert "immutable" in cache_control and "max-age=315360000" in cache_control
    assert response.headers["X-Request-ID"]
    # nginx, not the app: what was sent is the compressed copy collectstatic wrote.
    on_disk = Path(cluster.state["static_root"], stylesheet.removeprefix("/static/") + ".gz")
    assert response.content == on_disk.read_bytes()
    assert b":root" in gzip.decompress(response.content)


def test_pages_are_compressed_and_carry_the_request_id_nginx_gave_them(cluster):
    response = cluster.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    ids = response.headers.get_all("X-Request-ID")
    assert len(ids) == 1 and re.fullmatch(r"[0-9a-f]{32}", ids[0]), ids


def test_signed_in_pages_never_come_from_nginx_cache(cluster, learners, lessons):
    response = cluster.get(lessons[0], cookies=learners[0].cookies)
    assert response.status == 200
    assert response.headers["X-Cache"] == "BYPASS"


def test_anonymous_pages_are_cached_by_nginx_as_long_as_the_app_allows(cluster, lessons):
    path = f"{lessons[-1]}?nginx-cache-test"
    first = cluster.get(path)
    assert first.status == 200
    cache_control = first.headers.get("Cache-Control", "")
    if "public" not in cache_control or "max-age=0" in cache_control:
        pytest.skip(f"the app does not let anonymous pages be cached ({cache_control!r})")
    second = cluster.get(path)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
    assert second.content == first.content
