"""Finding ids cost a few hashes per finding, whatever the number of findings: no pass over pairs."""

from __future__ import annotations

from reviewer import finding_ids
from reviewer.findings import Finding
from reviewer.model import Location


def _findings(n: int, twins: int = 0) -> list[Finding]:
    out = [
        Finding(code="target.not_met", severity="warning", message=f"第{k}行的指标未完成",
                location=Location(table=0, row=k, col=3, label=f"定量目标第{k}行"), source="rules", found=f"{k}项")
        for k in range(n)
    ]
    # exact twins: same code, place, evidence and message (what the counter exists for)
    out += [Finding(code="score.unsupported", severity="info", message="缺少佐证材料", location=Location(label="评分表"), source="rules")
            for _ in range(twins)]
    return out


def _hashes(findings, monkeypatch) -> tuple[int, list[str]]:
    import hashlib

    calls = []
    real = hashlib.sha256

    class Counting:
        @staticmethod
        def sha256(data=b""):
            calls.append(1)
            return real(data)

    monkeypatch.setattr(finding_ids, "hashlib", Counting)
    from reviewer.model import Report

    ids = [f.id for f in finding_ids.assign_ids(findings, Report(source="x.docx"))]
    return len(calls), ids


def test_hashes_grow_with_findings_not_their_square(monkeypatch):
    small, _ = _hashes(_findings(100), monkeypatch)
    large, ids = _hashes(_findings(2_000), monkeypatch)
    assert len(set(ids)) == 2_000
    assert large <= 20 * small + 20, (small, large)  # 20× the findings, at most 20× the hashes
    assert large <= 2 * 2_000


def test_exact_twins_get_distinct_ids_in_linear_hashes(monkeypatch):
    n, ids = _hashes(_findings(10, twins=300), monkeypatch)
    assert len(set(ids)) == 310
    # one base hash each, one message hash per twin, and the counter's hashes
    assert n <= 310 + 300 * 3, n
