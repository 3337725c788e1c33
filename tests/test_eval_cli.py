"""`review eval` on the bundled corpus: the JSON validates against its schema; thresholds set the exit code."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

CORPUS = Path(__file__).resolve().parent.parent / "examples" / "corpus"


def run_review(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env_less = {k: v for k, v in __import__("os").environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    return subprocess.run([sys.executable, "-m", "reviewer", *args], capture_output=True, text=True, cwd=cwd, timeout=300, env=env_less)


@pytest.fixture(scope="module")
def eval_json(tmp_path_factory) -> dict:
    cwd = tmp_path_factory.mktemp("eval")
    proc = run_review("eval", str(CORPUS), "--no-llm", "--format", "json", cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_json_validates_against_the_eval_schema(eval_json, tmp_path):
    schema = json.loads(run_review("schema", "--of", "eval", cwd=tmp_path).stdout)
    jsonschema.validate(eval_json, schema)
    files = {r["file"] for r in eval_json["reports"]}
    assert len(files) == len(list(CORPUS.glob("*.gold.json")))
    assert eval_json["totals"]["expected"] > 0


def test_thresholds_set_exit_code(eval_json, tmp_path):
    caught = eval_json["totals"]["caught"]
    expected = eval_json["totals"]["expected"]
    alarms = eval_json["totals"]["false_alarms"]
    ok = run_review("eval", str(CORPUS), "--no-llm", "--min-recall", str(caught / expected - 0.001), "--max-false-alarms", str(alarms), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    too_strict = run_review("eval", str(CORPUS), "--no-llm", "--min-recall", str(caught / expected + 0.01), cwd=tmp_path)
    assert too_strict.returncode == 1
    assert "min-recall" in too_strict.stderr
    if alarms:
        fewer = run_review("eval", str(CORPUS), "--no-llm", "--max-false-alarms", str(alarms - 1), cwd=tmp_path)
        assert fewer.returncode == 1 and "max-false-alarms" in fewer.stderr


def test_folder_without_gold_is_one_line_exit_2(tmp_path):
    shutil.copy(CORPUS / "hunan-2023-xiangyin-wjj-careful.docx", tmp_path)
    proc = run_review("eval", str(tmp_path), "--no-llm", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and ".gold.json" in proc.stderr
    assert "Traceback" not in proc.stderr


# Every corpus report is read without a miss, a must_not or a false alarm; a change that loses one fails here.
AT_FULL_ACCURACY = {p.name.removesuffix(".gold.json") for p in CORPUS.glob("*.gold.json")}
SCORES_AGREE = {
    "hunan-2022-huarong-jyj-sloppy", "hunan-2022-junshan-zjj-sloppy", "hunan-2022-pingjiang-nyncj-careful",
    "hunan-2023-linxiang-scjgj-sloppy", "hunan-2023-miluo-baitang-sloppy", "hunan-2023-xiangyin-wjj-careful",
    "hunan-2023-yueyangxian-sfj-careful", "mof-2022-huoshan-water-careful", "mof-2023-zhuxi-nutrition-sloppy",
    "mof-dept-2022-luotian-wlj-sloppy", "sichuan-2023-qingshen-fgj-sloppy", "yinchuan-2022-jinfeng-eldercare-sloppy",
}


def test_every_report_at_the_accuracy_reached(eval_json):
    """Every report: nothing missed, no must_not, no false alarm; on the reports whose every 评分表
    status agrees with gold, each still agrees (the others have their own gaps, listed by eval)."""
    reports = [r for r in eval_json["reports"] if r["file"].removesuffix(".docx") in AT_FULL_ACCURACY]
    assert len(reports) == len(AT_FULL_ACCURACY) and all(r["reviewed"] for r in reports)
    for r in reports:
        assert r["caught"] == r["expected"], (r["file"], r["missed"])
        assert r["must_not_violated"] == [], r["file"]
        assert r["false_alarms"] == [], r["file"]
        if r["file"].removesuffix(".docx") not in SCORES_AGREE:
            continue
        agree = [s for s in r["scores"] if s["agree"]]
        assert len(agree) == len(r["scores"]), (r["file"], [s for s in r["scores"] if not s["agree"]])
        assert all(s["value_ok"] is not False for s in r["scores"]), r["file"]