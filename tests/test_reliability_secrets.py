"""Secrets and personal data stay home: credentials in a base URL, ID numbers, cards, e-mails,
phones and names never reach the model, the memo, the cache or a cassette.

The LLM side uses the FAKE server of tests/llm_seed.py (httpx2.MockTransport, constructed
replies): what matters here is what is sent and stored, not what a model answers.
"""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest

import llm_seed
from llm_seed import FakeServer, answer, ok, user_text
from reviewer.llm import judge_report
from reviewer.llm.config import LLMConfig, strip_credentials
from reviewer.llm.judge import MAX_PROMPT_COMPLETION
from reviewer.llm.redact import Redactor
from reviewer.pipeline import review_report

PASSWORD = "s3cret-Pa55"
CRED_URL = f"http://reviewer:{PASSWORD}@fake-llm.test/v1"

# Every item the issue lists, as departments write them.
PII = {
    "id": "43060219850101123X",
    "id_lower": "430602198501011234",
    "card": "6222 0212 3456 7890 128",
    "card_plain": "6222021234567890",
    "email": "zhang.san@example.com",
    "mobile_spaced": "138 1234 5678",
    "mobile_dashed": "139-1234-5678",
    "mobile_intl": "+86 137 1234 5678",
    "landline_brackets": "(0730)8419088",
    "landline_full_width": "（0731）8419089",
    "landline": "0730-8419087",
    "role_name": "王小明",
    "comrade_name": "李华",
    "placeholder_name": "周某某",
    "contact": "单颖",
}

PII_ROWS = [
    ("产出目标", "数量指标", "全年接待来访300人次以上",
     f"经联系人单颖（电话{PII['mobile_spaced']}，{PII['email']}）统计，全年接待来访360人次；"
     f"负责人：{PII['role_name']}，{PII['comrade_name']}同志具体经办，{PII['placeholder_name']}复核。"),
    ("产出目标", "质量指标", "补助发放准确率100%",
     f"向身份证号{PII['id']}、{PII['id_lower']}的对象发放补助，打入卡号{PII['card']}和{PII['card_plain']}，"
     f"咨询电话{PII['mobile_dashed']}、{PII['mobile_intl']}、{PII['landline_brackets']}、{PII['landline_full_width']}、"
     f"{PII['landline']}，{PII['role_name']}签字确认。"),
]


def _echo_masks(body: dict, n: int):
    """Answers quoting nothing, with a follow-up that names the first masked person and phone."""
    text = user_text(body)
    return ok(answer(("目标", "not_evidenced", []), follow_up="请〔姓名1〕（〔电话2〕）提供登记表。" if "〔电话2〕" in text else "请提供佐证材料。"))


def test_strip_credentials_from_urls():
    assert strip_credentials(CRED_URL) == "http://fake-llm.test/v1"
    assert strip_credentials("https://key@api.example.com/v1?x=1") == "https://api.example.com/v1?x=1"
    assert strip_credentials("see http://a:b@h/v1 and ftp://u@h2/") == "see http://h/v1 and ftp://h2/"
    assert strip_credentials("http://127.0.0.1:8765/v1") == "http://127.0.0.1:8765/v1"
    assert strip_credentials("zhang.san@example.com") == "zhang.san@example.com"  # not a URL


def test_credentialed_base_url_is_used_but_never_stored(tmp_path: Path):
    server = FakeServer(_echo_masks)
    cache = tmp_path / "cache" / "llm.sqlite3"
    config = LLMConfig.from_env(base_url=CRED_URL, model="fake-model", api_key="test-key", cache_path=cache,
                                http_client=server.client(), sleep=lambda s: None)
    assert PASSWORD not in repr(config) and config.base_url == "http://fake-llm.test/v1"
    _, _, run = judge_report(llm_seed.seed_report(PII_ROWS), [], config)
    assert server.requests and run.calls
    assert run.base_url == "http://fake-llm.test/v1"
    assert PASSWORD in str(server.raw_requests[0].url) or "Basic" in server.raw_requests[0].headers.get("authorization", "")
    assert PASSWORD.encode() not in cache.read_bytes()


def test_a_review_with_credentials_and_pii_stores_and_sends_none_of_them(tmp_path: Path):
    """The whole pipeline: the JSON memo, the cache and every request are free of the password and
    of every personal item; the memo still shows the report as written (unmasked)."""
    server = FakeServer(_echo_masks)
    cache = tmp_path / "cache" / "llm.sqlite3"
    options = llm_seed.pipeline_options(CRED_URL, "fake-model", "test-key", cache, http_client=server.client(), sleep=lambda s: None)
    review = review_report(llm_seed.seed_report(PII_ROWS), options)
    memo = review.model_dump_json()
    wire = json.dumps(server.requests, ensure_ascii=False)
    stored = cache.read_bytes().decode("utf-8", errors="replace")
    assert server.requests
    for where, text in (("memo", memo), ("wire", wire), ("cache", stored)):
        assert PASSWORD not in text, where
    for name, value in PII.items():
        assert value not in wire, name
        assert value not in stored, name
    assert PII["id"] in memo  # the reviewer sees the report as it is
    questions = [v.follow_up for v in review.verdicts if v.by == "llm" and "登记表" in v.follow_up]
    assert questions == [f"请单颖（{PII['mobile_spaced']}）提供登记表。"]  # unmasked for the reader


def test_masks_are_consistent_within_a_report():
    red = Redactor.for_report(llm_seed.seed_report(PII_ROWS))
    first, second = (red.mask(row[3]) for row in PII_ROWS)
    # 王小明 is introduced in row 1 and masked the same way in row 2
    name_mask = next(m for m in ("〔姓名2〕", "〔姓名3〕", "〔姓名4〕") if m in first and m in second)
    assert red.unmask(name_mask) == PII["role_name"]
    assert red.unmask(first) == PII_ROWS[0][3] and red.unmask(second) == PII_ROWS[1][3]
    assert "〔身份证号1〕" in second and "〔银行卡号1〕" in second and "〔邮箱1〕" in first


@pytest.mark.parametrize("text", ["于某些方面", "主任高度重视，书记周密部署。", "2019 2020 2021 2022年", "支出1,234.56万元，增长12.5%"])
def test_ordinary_words_and_figures_are_not_masked(text: str):
    assert Redactor(["单颖"]).mask(text) == text


def test_cache_folder_and_file_are_private(tmp_path: Path):
    server = FakeServer(_echo_masks)
    cache = tmp_path / "new" / "cache" / "llm.sqlite3"
    judge_report(llm_seed.seed_report(PII_ROWS), [], llm_seed.config(server, tmp_path, cache_path=cache))
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700


def test_prompt_size_is_capped_per_row_and_the_cut_stated(tmp_path: Path):
    huge = "全年完成各项工作。" * 200_000  # 1.8 million characters
    rows = [("产出目标", "数量指标", "全年完成工作10项", huge)]
    server = FakeServer(_echo_masks)
    verdicts, _, _ = judge_report(llm_seed.seed_report(rows), [], llm_seed.config(server, tmp_path))
    sizes = [len(user_text(body)) for body in server.requests]
    assert sizes and max(sizes) < MAX_PROMPT_COMPLETION + 5_000, sizes
    assert "只发送了前" in user_text(server.requests[0])
    assert f"只发送了前{MAX_PROMPT_COMPLETION}字" in verdicts[0].status_note


def test_cassette_secret_check_catches_credentials_in_urls():
    leaks = llm_seed.secret_leaks("llm-x.yaml", f"uri: {CRED_URL}/chat/completions\n")
    assert leaks and "llm-x.yaml" in leaks[0]
    assert llm_seed.secret_leaks("meta.json", f'"note": "{PASSWORD}"', (PASSWORD,))
    assert not llm_seed.secret_leaks("ok.yaml", "uri: http://127.0.0.1:8765/v1/chat/completions\nemail a@b.cn\n")


def test_cassettes_are_recorded_without_credentials():
    from vcr.request import Request

    recorded = llm_seed._without_credentials(Request("POST", f"{CRED_URL}/chat/completions", b"{}", {}))
    assert recorded.uri == "http://fake-llm.test/v1/chat/completions"


def test_a_cli_run_with_a_credentialed_url_leaves_it_nowhere(tmp_path: Path):
    """`review --base-url http://user:pass@…` against a LOOPBACK FAKE server (constructed replies,
    tests/test_cassette_cli.py): memo, cache, cassette and terminal hold no password."""
    import subprocess
    import sys

    from llm_seed import LoopbackServer
    from test_cassette_cli import EXAMPLE, not_evidenced

    with LoopbackServer(not_evidenced) as server:
        url = f"http://reviewer:{PASSWORD}@127.0.0.1:{server.server.server_address[1]}/v1"
        env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("OPENAI_")}
        env.update(REVIEWER_CACHE_DIR=str(tmp_path / "cache"))
        proc = subprocess.run(
            [sys.executable, "-m", "reviewer", str(EXAMPLE), "--base-url", url, "--model", "fake-model", "-f", "json,md",
             "-o", str(tmp_path / "out") + "/", "--cassette", str(tmp_path / "run.yaml")],
            capture_output=True, text=True, env=env, timeout=300)
        seen = [h.get("authorization", "") for h in server.headers]
    assert proc.returncode == 0, proc.stderr
    assert seen  # the server was asked
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file() and PASSWORD.encode() in p.read_bytes()]
    assert leftovers == []
    assert PASSWORD not in proc.stdout + proc.stderr
    memo = json.loads(next((tmp_path / "out").glob("*.json")).read_text(encoding="utf-8"))
    assert memo["llm"]["base_url"].startswith("http://127.0.0.1:")


def test_an_edited_cache_entry_is_as_untrusted_as_the_model(tmp_path: Path):
    """Someone edits a cached answer's follow-up and reason: the next review serves it from the
    cache (no call) and the memo shows it escaped, controls visible; its quotes are re-checked."""
    import sqlite3

    from reviewer.memo import render

    server = FakeServer(_echo_masks)
    cache = tmp_path / "llm.sqlite3"
    options = llm_seed.pipeline_options(llm_seed.FAKE_BASE_URL, "fake-model", "test-key", cache, http_client=server.client(), sleep=lambda s: None)
    review_report(llm_seed.seed_report(PII_ROWS), options)
    calls = len(server.requests)
    with sqlite3.connect(cache) as db:
        for key, text in db.execute("select key, answer from answers").fetchall():
            data = json.loads(text)
            data["follow_up"] = "请点击![x](http://evil.example/p.png)[这里](javascript:alert(1))\u0085\u202e"
            for clause in data.get("clauses", []):
                clause["verdict"] = "evidenced"
                clause["quotes"] = ["这句话不在完成情况里"]
                clause["reason"] = "<img src=x onerror=alert(1)>"
            db.execute("update answers set answer = ? where key = ?", (json.dumps(data, ensure_ascii=False), key))
    review = review_report(llm_seed.seed_report(PII_ROWS), options)
    assert len(server.requests) == calls  # served from the edited cache
    llm = [v for v in review.verdicts if v.by == "llm"]
    assert llm and all(v.verdict != "evidenced" for v in llm)  # the invented quote is not evidence
    md, html = render(review, "md"), render(review, "html")
    assert "](" not in md.replace("\\](", "") and "\u0085" not in md and "\u202e" not in md and "<img" not in md
    assert "<img src=x" not in html and not re.search(r'href="(?!#)', html)  # in-page links only
    assert "〔U+202E〕" in md and "请点击" in md  # the edited text is shown, as text
