"""A lightweight Streamlit client: one visitor's session over the app's WebSocket, no browser.

Speaks the protocol of the installed Streamlit (1.67, served by Starlette/uvicorn)
the way its web frontend does, using only what ships with Streamlit: the
``websockets`` package (a Streamlit dependency) and the protobuf classes in
``streamlit.proto``.

- ``GET /_stcore/health`` sets the XSRF cookie (``_streamlit_xsrf``);
- the WebSocket ``/_stcore/stream`` is opened with the subprotocols
  ``streamlit, <xsrf token>`` and the cookie, as the browser does;
- every run is asked for with a ``BackMsg.rerun_script`` (``ClientState``: the
  page's URL path or script hash, the query string, the widget states);
- the server answers with ``ForwardMsg``\\ s: ``new_session`` (session id),
  ``navigation`` (the pages), ``delta`` (each element), ``page_info_changed``
  (the query string the app wrote), and ``script_finished`` at the end of a run;
- an upload is an HTTP ``PUT /_stcore/upload_file/<session>/<file id>`` (multipart,
  with the ``X-Xsrftoken`` header), then the uploader's widget state lists the
  files and the form's submit button is triggered.

Only loopback addresses may be used (this is for testing one's own server).
Used by ``scripts/loadtest.py`` and by the tests of concurrent sessions.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates

XSRF_COOKIE = "_streamlit_xsrf"
RUN_TIMEOUT_S = 120.0
GUARD_MESSAGE = "Something went wrong"


def loopback_only(url: str) -> str:
    """``url`` without a trailing slash; refuses anything but this machine."""
    host = urlsplit(url).hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"refusing {url!r}: only a server on this machine (127.0.0.1 / localhost / ::1)")
    return url.rstrip("/")


@dataclass
class Widget:
    kind: str       # the element type, e.g. "text_input", "file_uploader", "button"
    id: str
    label: str
    form_id: str = ""


@dataclass
class RunResult:
    """What one action brought back: the run(s) it caused, up to the last one's end."""

    sent: float                    # time.time() when the BackMsg went out
    done: float = 0.0              # time.time() when the final script_finished arrived
    finished: str = ""             # the final ScriptFinishedStatus name, or "timeout" / "disconnected"
    runs: int = 0                  # script runs started for it (st.rerun() adds one)
    elements: int = 0              # elements drawn by the last run
    problems: list[str] = field(default_factory=list)  # errors a visitor would see
    texts: list[str] = field(default_factory=list)     # markdown/text/alert bodies of the last run

    @property
    def rtt(self) -> float:
        """Seconds from sending the action to the end of its last run, as this client saw it."""
        return self.done - self.sent


class Session:
    """One visitor. ``await Session(url).open("/terms")``, then :meth:`goto`, :meth:`submit`, ...

    ``watch`` (a compiled bytes regex) is searched in every message; the matches are
    collected in ``seen`` (the load test looks for other visitors' markers there).
    """

    def __init__(self, url: str, name: str = "", watch: re.Pattern | None = None,
                 headers: dict | None = None):
        self.url = loopback_only(url)
        self.name = name
        self.watch = watch
        self.seen: set[bytes] = set()
        self.headers = dict(headers or {})
        self.cookies: dict[str, str] = {}
        self.session_id = ""
        self.pages: dict[str, tuple[str, str]] = {}   # title -> (url path, script hash)
        self.page_hash = ""
        self.page_path = ""
        self.query = ""
        self.widgets: dict[str, Widget] = {}          # label -> widget of the last run
        self._values: dict[str, WidgetState] = {}     # widget id -> persistent value
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._current: RunResult | None = None
        self._done: asyncio.Event = asyncio.Event()
        self._run_widgets: dict[str, Widget] = {}
        self._run_texts: list[str] = []
        self._run_problems: list[str] = []
        self._run_elements = 0
        self.closed = False
        self.bytes_in = 0

    # ------------------------------------------------------------------ connection

    def _http(self, method: str, path: str, data: bytes | None = None, headers: dict | None = None,
              timeout: float = 60.0) -> tuple[int, bytes]:
        req = urllib.request.Request(self.url + path, data=data, method=method)
        for k, v in {**self.headers, **(headers or {})}.items():
            req.add_header(k, v)
        if self.cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                self._keep_cookies(r.headers.get_all("Set-Cookie") or [])
                return r.status, r.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        for c in set_cookies:
            name, _, rest = c.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0].strip()

    async def open(self, path: str = "/", query: str = "", timeout: float = RUN_TIMEOUT_S) -> RunResult:
        """Connect as a new visitor opening ``path?query``; returns the first run."""
        status, _ = await asyncio.to_thread(self._http, "GET", "/_stcore/health")
        if status != 200:
            raise ConnectionError(f"health check answered {status}")
        xsrf = self.cookies.get(XSRF_COOKIE, "")
        ws_url = "ws" + self.url[4:] + "/_stcore/stream"
        headers = {**self.headers, "Origin": self.url}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        protocols = ["streamlit", xsrf] if xsrf else ["streamlit"]
        self._ws = await websockets.connect(ws_url, subprotocols=protocols, additional_headers=headers,
                                            max_size=None, open_timeout=30, ping_interval=20,
                                            ping_timeout=60, compression=None)
        self._reader = asyncio.create_task(self._read(), name=f"stclient-read-{self.name}")
        self.page_path = path.strip("/")
        self.query = query.lstrip("?")
        return await self.rerun(page_path=self.page_path, timeout=timeout)

    async def close(self) -> None:
        """Leave, as a closed tab does (the socket closes; Streamlit keeps the session a while)."""
        self.closed = True
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass

    async def abort(self) -> None:
        """Drop the connection at once, without a closing handshake (a tab killed mid-run)."""
        self.closed = True
        if self._ws is not None:
            self._ws.transport.abort()
        if self._reader is not None:
            self._reader.cancel()

    # ------------------------------------------------------------------ messages

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                self.bytes_in += len(raw)
                if self.watch is not None:
                    self.seen.update(self.watch.findall(raw))
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                self._handle(msg)
        except websockets.ConnectionClosed:
            pass
        finally:
            if self._current is not None and not self._done.is_set():
                self._current.finished = "disconnected"
                self._current.done = time.time()
                self._done.set()

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.session_id = msg.new_session.initialize.session_id or self.session_id
            self._run_widgets, self._run_texts, self._run_problems, self._run_elements = {}, [], [], 0
            if self._current is not None:
                self._current.runs += 1
        elif kind == "navigation":
            self.pages = {}
            for p in msg.navigation.app_pages:
                self.pages[p.page_name] = (p.url_pathname, p.page_script_hash)
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
            for title, (path, h) in self.pages.items():
                if h == self.page_hash:
                    self.page_path = path
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            self._run_problems.append(f"page not found: {msg.page_not_found.page_name}")
        elif kind == "delta":
            self._delta(msg)
        elif kind == "script_finished":
            status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
            if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return
            if status == "FINISHED_WITH_COMPILE_ERROR":
                self._run_problems.append("the script failed to compile")
            self.widgets = self._run_widgets
            if self._current is not None and not self._done.is_set():
                self._current.finished = status
                self._current.done = time.time()
                self._current.elements = self._run_elements
                self._current.problems = list(self._run_problems)
                self._current.texts = list(self._run_texts)
                self._done.set()

    def _delta(self, msg: ForwardMsg) -> None:
        d = msg.delta
        if d.WhichOneof("type") != "new_element":
            return
        el = d.new_element
        kind = el.WhichOneof("type")
        if kind is None:
            return
        self._run_elements += 1
        body = getattr(el, kind)
        if kind == "exception":
            self._run_problems.append(f"exception box: {body.type} {body.message}"[:300])
        elif kind == "alert":
            self._run_texts.append(body.body)
            if GUARD_MESSAGE in body.body:
                self._run_problems.append(f"error message: {body.body}"[:300])
        elif kind == "metric":
            self._run_texts.append(f"{body.label}: {body.body}")
        elif kind in ("markdown", "text", "heading"):
            self._run_texts.append(getattr(body, "body", "") or getattr(body, "text", ""))
        if hasattr(body, "id") and hasattr(body, "label") and body.id:
            w = Widget(kind, body.id, body.label, getattr(body, "form_id", ""))
            self._run_widgets.setdefault(w.label, w)

    # ------------------------------------------------------------------ actions

    async def rerun(self, page_path: str | None = None, page_hash: str | None = None,
                    triggers: list[WidgetState] | None = None, timeout: float = RUN_TIMEOUT_S) -> RunResult:
        """Ask for a run (of ``page_path`` / ``page_hash``, else the current page) and wait for its end."""
        if self.closed:
            raise ConnectionError("session closed")
        states = WidgetStates()
        live = {w.id for w in self.widgets.values()}
        trigger_ids = {t.id for t in triggers or []}
        for wid, st in self._values.items():
            if (wid in live or page_path is None and page_hash is None) and wid not in trigger_ids:
                states.widgets.append(st)
        for t in triggers or []:
            states.widgets.append(t)
        cs = ClientState(query_string=self.query, widget_states=states,
                         page_script_hash=page_hash if page_hash is not None else
                         ("" if page_path is not None else self.page_hash),
                         page_name=page_path if page_path is not None and page_hash is None else "")
        cs.context_info.timezone = "UTC"
        cs.context_info.locale = "en-GB"
        cs.context_info.url = f"{self.url}/{(page_path or self.page_path)}"
        msg = BackMsg(rerun_script=cs)
        result = RunResult(sent=time.time())
        self._current, self._done = result, asyncio.Event()
        await self._ws.send(msg.SerializeToString())
        try:
            await asyncio.wait_for(self._done.wait(), timeout)
        except asyncio.TimeoutError:
            result.finished, result.done = "timeout", time.time()
        self._current = None
        return result

    async def goto(self, title: str, timeout: float = RUN_TIMEOUT_S) -> RunResult:
        """Click the page ``title`` in the navigation."""
        path, h = self.pages[title]
        return await self.rerun(page_path=path, page_hash=h, timeout=timeout)

    def widget(self, label: str) -> Widget:
        try:
            return self.widgets[label]
        except KeyError:
            raise KeyError(f"no widget labelled {label!r} on this page; there are {sorted(self.widgets)}") from None

    def set_value(self, label: str, **value) -> WidgetState:
        """Set a widget's value for the next run, e.g. ``set_value("Add a phrase", string_value="x")``."""
        w = self.widget(label)
        st = WidgetState(id=w.id, **{k: v for k, v in value.items() if k != "file_uploader_state_value"})
        if "file_uploader_state_value" in value:
            st.file_uploader_state_value.CopyFrom(value["file_uploader_state_value"])
        self._values[w.id] = st
        return st

    async def click(self, label: str, timeout: float = RUN_TIMEOUT_S) -> RunResult:
        """Press a button (or a form's submit button) labelled ``label``."""
        return await self.rerun(triggers=[WidgetState(id=self.widget(label).id, trigger_value=True)],
                                timeout=timeout)

    async def upload(self, files: list[tuple[str, bytes]], uploader_label: str | None = None,
                     submit_label: str | None = None, timeout: float = RUN_TIMEOUT_S) -> RunResult:
        """Upload ``files`` (name, bytes) into the uploader labelled ``uploader_label`` (default: the
        page's first uploader) and, if the uploader is in a form, press its ``submit_label`` button;
        otherwise the choice itself reruns the page, as in the browser."""
        if uploader_label is None:
            found = [w for w in self.widgets.values() if w.kind == "file_uploader"]
            if not found:
                raise KeyError(f"no file uploader on this page; there are {sorted(self.widgets)}")
            w = found[0]
        else:
            w = self.widget(uploader_label)
        state = WidgetState(id=w.id)
        fus = state.file_uploader_state_value
        for name, data in files:
            file_id = uuid.uuid4().hex
            boundary = uuid.uuid4().hex
            body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                    f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
            status, answer = await asyncio.to_thread(
                self._http, "PUT", f"/_stcore/upload_file/{self.session_id}/{file_id}", body,
                {"Content-Type": f"multipart/form-data; boundary={boundary}",
                 "X-Xsrftoken": self.cookies.get(XSRF_COOKIE, "")})
            if status not in (200, 204):
                raise ConnectionError(f"upload of {name} answered {status}: {answer[:200]!r}")
            info = fus.uploaded_file_info.add()
            info.file_id, info.name, info.size = file_id, name, len(data)
            info.file_urls.file_id = file_id
            info.file_urls.upload_url = f"/_stcore/upload_file/{self.session_id}/{file_id}"
            info.file_urls.delete_url = info.file_urls.upload_url
        self._values[w.id] = state
        if submit_label is not None:
            result = await self.click(submit_label, timeout=timeout)
        else:
            result = await self.rerun(timeout=timeout)
        self._values.pop(w.id, None)  # a form clears on submit; the app empties its uploader itself
        return result

    def metric(self, result: RunResult, label: str) -> str | None:
        """The value of the metric ``label`` in ``result``'s last run (None when there is none)."""
        for t in result.texts:
            if t.startswith(label + ": "):
                return t[len(label) + 2:]
        return None
