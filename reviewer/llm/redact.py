"""Mask personal names and phone numbers before text leaves the machine; unmask the answers.

Names are the ones the form itself names (联系人, 评价人员), matched with or without the spaces
forms put between the characters ("单  颖"). Phone numbers are matched by shape. Masks are
stable within a report (same person → same mask), so cached answers unmask on the next run.
"""

from __future__ import annotations

import re
import threading

from reviewer.model import Report

PHONE = re.compile(
    r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}[-－ ]?\d{7,8}|\d{3,4}[-－]\d{7,8})(?!\d)"
)
_HAN_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")


class Redactor:
    def __init__(self, names: list[str] | None = None, enabled: bool = True) -> None:
        self.enabled = enabled
        self._lock = threading.Lock()
        self._mask_to_value: dict[str, str] = {}
        self._value_to_mask: dict[str, str] = {}
        self._name_patterns: list[tuple[re.Pattern[str], str]] = []
        seen: set[str] = set()
        for raw in names or []:
            name = re.sub(r"\s+", "", raw or "")
            if not _HAN_NAME.match(name) or name in seen:
                continue
            seen.add(name)
            mask = f"〔姓名{len(seen)}〕"
            self._mask_to_value[mask] = name
            pattern = re.compile(r"\s*".join(re.escape(ch) for ch in name))
            self._name_patterns.append((pattern, mask))
        # longer names first, so 欧阳明 is not masked as 欧阳 + 明
        self._name_patterns.sort(key=lambda p: -len(p[0].pattern))

    @classmethod
    def for_report(cls, report: Report, enabled: bool = True) -> Redactor:
        names = [report.contact.text] + [e.name for e in report.evaluators]
        red = cls(names, enabled=enabled)
        # Number the phones in document order up front, so masks do not depend on which row a
        # worker thread happens to reach first (the masks are part of the cache key).
        texts = [report.phone.text, report.contact.text]
        for row in report.targets:
            texts += [row.target.text, row.completion.text]
        for text in texts:
            red.mask(text or "")
        return red

    def _phone_mask(self, m: re.Match[str]) -> str:
        value = m.group(0)
        with self._lock:
            mask = self._value_to_mask.get(value)
            if mask is None:
                n = sum(1 for k in self._mask_to_value if k.startswith("〔电话"))
                mask = f"〔电话{n + 1}〕"
                self._value_to_mask[value] = mask
                self._mask_to_value[mask] = value
        return mask

    def mask(self, text: str) -> str:
        if not self.enabled or not text:
            return text
        for pattern, mask in self._name_patterns:
            text = pattern.sub(mask, text)
        return PHONE.sub(self._phone_mask, text)

    def unmask(self, text: str) -> str:
        if not text or not self._mask_to_value:
            return text
        for mask, value in self._mask_to_value.items():
            text = text.replace(mask, value)
        return text
