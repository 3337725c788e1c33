"""LibreOffice sandboxed: a converted file cannot make the reviewer's machine fetch anything, and a
conversion that hangs leaves no process behind.

The network test runs the real soffice on an .odt built here that links a remote image and a
remote section to a loopback HTTP server; the hang test uses a FAKE soffice (a shell script that
starts a child and never exits), since a real hang cannot be produced on demand.
"""

from __future__ import annotations

import http.server
import os
import signal
import threading
import time
import zipfile
from pathlib import Path

import pytest

from conftest import needs_soffice
from reviewer.errors import InputError
from reviewer.ingest import convert, load_body


def _remote_odt(path: Path, port: int) -> None:
    content = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
 xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.2">
<office:body><office:text><text:p>部门整体支出绩效自评报告</text:p>
<text:p><draw:frame draw:name="img" svg:width="2cm" svg:height="2cm" text:anchor-type="as-char">
<draw:image xlink:href="http://127.0.0.1:{port}/track.png" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame></text:p>
<text:section text:name="s"><text:section-source xlink:href="http://127.0.0.1:{port}/linked.odt" xlink:type="simple"/></text:section>
</office:text></office:body></office:document-content>"""
    manifest = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)


@pytest.mark.soffice
@needs_soffice
def test_a_converted_file_cannot_fetch_remote_content(tmp_path: Path):
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        do_OPTIONS = do_HEAD = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        path = tmp_path / "remote.odt"
        _remote_odt(path, server.server_address[1])
        body = load_body(path)
        assert any("绩效自评报告" in p.text for p in body.paragraphs)  # it was converted
    finally:
        server.shutdown()
    assert hits == []


def test_profile_blocks_remote_links_and_updates(tmp_path: Path):
    convert._write_profile(tmp_path)
    xcu = (tmp_path / "user" / "registrymodifications.xcu").read_text(encoding="utf-8")
    assert '"BlockUntrustedRefererLinks" oor:op="fuse"><value>true' in xcu
    assert 'oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>2' in xcu


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie no one reaps yet counts as gone
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return True


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="POSIX process groups")
def test_a_hanging_conversion_is_killed_with_its_children(tmp_path: Path, monkeypatch):
    """FAKE soffice: starts a 'soffice.bin' child that would outlive it, then hangs."""
    pids = tmp_path / "pids"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {pids}\nsleep 300\n")
    fake.chmod(0o755)
    monkeypatch.setattr(convert, "find_soffice", lambda: str(fake))
    monkeypatch.setattr(convert, "CONVERT_TIMEOUT_S", 2)
    doc = tmp_path / "x.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(InputError) as err:
        convert.convert_to_docx(doc, tmp_path)
    assert "超时" in str(err.value)
    child = int(pids.read_text())
    for _ in range(50):  # SIGKILL is delivered asynchronously; give the kernel a moment
        if not _alive(child):
            break
        time.sleep(0.1)
    alive = _alive(child)
    if alive:
        os.kill(child, signal.SIGKILL)
    assert not alive, "the child of the timed-out soffice was left running"


def test_no_network_prefix_is_a_working_command_or_nothing():
    prefix = convert.no_network_prefix()
    assert prefix == () or (prefix[0].endswith("unshare") and prefix[1] in ("-n", "-rn"))
