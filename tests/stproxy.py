"""Several app processes behind nginx with sticky sessions, on loopback (tests and the load test).

The proxy configuration is the one ``docs/DEPLOY.md`` documents, minus TLS: a
visitor's first request gets a random route key (nginx's ``$request_id``) in the
cookie ``explorer_route``, and ``hash ... consistent`` sends every request that
carries the key - the page, the WebSocket, uploads - to the same process, which
holds the visitor's session. (``ip_hash`` would not do: behind another proxy or
a NAT, or here on loopback, every visitor has the same address.)
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from tests.browser.streamlit_ui import free_port, start_server, stop_server, wait_healthy

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

#: The lines of the documented configuration that make sessions sticky (DEPLOY.md must contain them).
STICKY_LINES = [
    'map $cookie_explorer_route $explorer_route {',
    '""      $request_id;',
    'default $cookie_explorer_route;',
    'hash $explorer_route consistent;',
    'add_header Set-Cookie "explorer_route=$explorer_route; Path=/; HttpOnly; SameSite=Lax" always;',
]

CONF = """\
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
daemon off;
events {{ worker_connections 512; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}
    map $cookie_explorer_route $explorer_route {{
        ""      $request_id;
        default $cookie_explorer_route;
    }}
    upstream explorer {{
        hash $explorer_route consistent;
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 11m;
        proxy_set_header Host              $host;
        proxy_set_header X-Forwarded-For   $proxy_add_x_forwarded_for;
        add_header Set-Cookie "explorer_route=$explorer_route; Path=/; HttpOnly; SameSite=Lax" always;
        location / {{
            proxy_pass http://explorer;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_read_timeout 120s;
        }}
        location /_stcore/stream {{
            proxy_pass http://explorer;
            proxy_http_version 1.1;
            proxy_set_header Upgrade    $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_buffering off;
            proxy_read_timeout 1h;
        }}
    }}
}}
"""


def nginx_available() -> bool:
    return os.access(NGINX, os.X_OK)


class Cluster:
    """``n`` ``streamlit run app.py`` processes on free loopback ports and, with ``proxy``, nginx
    in front of them (:attr:`url`). ``env`` is added to every server's environment; ``{i}`` in a
    value becomes the server's number."""

    def __init__(self, app_dir: Path, work: Path, n: int = 2, proxy: bool = True, env: dict | None = None,
                 args: list[str] | None = None):
        self.app_dir, self.work, self.n, self.proxy = Path(app_dir), Path(work), n, proxy
        self.env = dict(env or {})
        self.args = list(args or [])
        self.servers: list[tuple[subprocess.Popen, str]] = []
        self.nginx: subprocess.Popen | None = None
        self.url = ""

    def __enter__(self) -> "Cluster":
        self.work.mkdir(parents=True, exist_ok=True)
        try:
            for i in range(self.n):
                env = {k: v.replace("{i}", str(i)) for k, v in self.env.items()}
                self.servers.append(start_server(self.app_dir, self.work / f"server{i}.log", env=env,
                                                 extra_args=self.args))
            for proc, url in self.servers:
                wait_healthy(url, proc, 180)
            if self.proxy:
                self.url = self._start_nginx()
            else:
                self.url = self.servers[0][1]
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start_nginx(self) -> str:
        if not nginx_available():
            raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
        port = free_port()
        d = self.work / "nginx"
        d.mkdir(exist_ok=True)
        servers = "\n".join(f"        server {url.split('//')[1]};" for _, url in self.servers)
        conf = d / "nginx.conf"
        conf.write_text(CONF.format(dir=d, port=port, servers=servers), encoding="utf-8")
        self.nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(d)], stdout=subprocess.DEVNULL,
                                      stderr=open(d / "stderr.log", "w"), start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, self.nginx, 30)
        return url

    @property
    def pids(self) -> list[int]:
        return [p.pid for p, _ in self.servers]

    def __exit__(self, *exc) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            try:
                os.killpg(self.nginx.pid, signal.SIGTERM)
                self.nginx.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.nginx.pid, signal.SIGKILL)
        for proc, _ in self.servers:
            stop_server(proc)
        time.sleep(0.2)
