"""Mask personal data before text leaves the machine; unmask the answers.

What is masked, each with its own numbered mask (〔姓名1〕, 〔电话2〕, 〔身份证号1〕, 〔银行卡号1〕,
〔邮箱1〕):
- names: the ones the form itself names (联系人, 评价人员), matched with or without the spaces
  forms put between the characters ("单  颖"); names the text introduces by a role
  ("负责人：王小明", "联系人李华"); and placeholder names of the 某某 pattern ("周某某", "王某");
- resident ID numbers (18 characters, the last may be X), bank card numbers (16–19 digits, in
  groups or not), e-mail addresses;
- phone numbers in the shapes people write them: 13812345678, 138 1234 5678, 138-1234-5678,
  +86 138…, 0086…, 0730-8419088, (0730)8419088, （0730）8419088, 07308419088.

Masks are stable within a report (same value → same mask), numbered in document order up front, so
cached answers unmask on the next run and the model can still refer to "〔姓名1〕".
"""

from __future__ import annotations

import re
import threading

from reviewer.model import Report

_NOT_DIGIT_BEFORE = r"(?<![\d+])"
_NOT_DIGIT_AFTER = r"(?!\d)"
_CN = r"(?:(?:\+|00)86[\s-]?)?"

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])")
BANK_CARD = re.compile(_NOT_DIGIT_BEFORE + r"(?:\d{4}[\s-]?){3}\d{4}(?:[\s-]?\d{1,3})?" + _NOT_DIGIT_AFTER)


def _is_card(number: str) -> bool:
    """16–19 digits in one run (a card or account number), or in groups when the Luhn check
    passes (so "2019 2020 2021 2022" is left alone)."""
    digits = re.sub(r"\D", "", number)
    if digits == number:
        return True
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE = re.compile(
    _NOT_DIGIT_BEFORE + _CN + r"(?:"
    r"1[3-9]\d(?:[\s-]?\d{4}){2}"  # mobile, whole or 3-4-4
    r"|(?:[(（]0\d{2,3}[)）]|0\d{2,3})[-－\s]?\d{7,8}"  # landline with area code
    r"|\d{3,4}[-－]\d{7,8}"
    r")" + _NOT_DIGIT_AFTER
)

# Common surnames (the first character of a name introduced by a role, or of a 某某 placeholder).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "易常温康施文牛樊葛邢安齐伍庞颜倪欧聂章柳阎宁鲁单"
)
_HAN = r"[\u4e00-\u9fff]"
# "于某些方面" is not a name: 某 followed by a measure word or 些 is "some".
PLACEHOLDER_NAME = re.compile(rf"[{SURNAMES}]某{{1,2}}(?![些种个项一类地次年月日方处])")
_NAME = rf"((?:欧阳|司马|诸葛|上官)?[{SURNAMES}]{_HAN}{{1,2}})"
# A name a role introduces ("负责人：王小明，", "主任李华（") or that 同志 follows; it must end at a
# non-Han character, so "主任高度重视" is not read as a name.
_ROLE = re.compile(
    r"(?:联系人|负责人|经办人|填报人|填表人|审核人|复核人|评价人员?|分管领导|科长|局长|主任|书记)"
    rf"[:：\s]*{_NAME}(?!{_HAN})"
    rf"|{_NAME}同志"
)
_HAN_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
KINDS = ("姓名", "身份证号", "银行卡号", "邮箱", "电话")


class Redactor:
    def __init__(self, names: list[str] | None = None, enabled: bool = True) -> None:
        self.enabled = enabled
        self._lock = threading.Lock()
        self._mask_to_value: dict[str, str] = {}
        self._value_to_mask: dict[tuple[str, str], str] = {}
        self._counts = dict.fromkeys(KINDS, 0)
        self._name_patterns: list[tuple[re.Pattern[str], str]] = []
        for raw in names or []:
            self.add_name(raw)

    def add_name(self, raw: str) -> None:
        name = re.sub(r"\s+", "", raw or "")
        if not _HAN_NAME.match(name) or ("姓名", name) in self._value_to_mask:
            return
        mask = self._mask_for("姓名", name)
        pattern = re.compile(r"\s*".join(re.escape(ch) for ch in name))
        self._name_patterns.append((pattern, mask))
        # longer names first, so 欧阳明 is not masked as 欧阳 + 明
        self._name_patterns.sort(key=lambda p: -len(p[0].pattern))

    @classmethod
    def for_report(cls, report: Report, enabled: bool = True) -> Redactor:
        names = [report.contact.text] + [e.name for e in report.evaluators]
        red = cls(names, enabled=enabled)
        # Everything that may be sent, in document order: names a role introduces are learnt
        # first (so they are masked wherever they appear), then every mask is numbered up front,
        # so masks do not depend on which row a worker thread reaches first (they are part of
        # the cache key).
        texts = [report.phone.text, report.contact.text]
        for row in report.targets:
            texts += [row.category, row.kind, row.target.text, row.completion.text]
        for text in texts:
            red.learn_names(text or "")
        for text in texts:
            red.mask(text or "")
        return red

    def learn_names(self, text: str) -> None:
        if self.enabled:
            for m in _ROLE.finditer(text):
                self.add_name(m.group(1) or m.group(2))

    def _mask_for(self, kind: str, value: str) -> str:
        with self._lock:
            mask = self._value_to_mask.get((kind, value))
            if mask is None:
                self._counts[kind] += 1
                mask = f"〔{kind}{self._counts[kind]}〕"
                self._value_to_mask[(kind, value)] = mask
                self._mask_to_value[mask] = value
        return mask

    def _masker(self, kind: str):
        return lambda m: self._mask_for(kind, m.group(0))

    def mask(self, text: str) -> str:
        if not self.enabled or not text:
            return text
        self.learn_names(text)
        for pattern, mask in self._name_patterns:
            text = pattern.sub(mask, text)
        text = PLACEHOLDER_NAME.sub(self._masker("姓名"), text)
        text = EMAIL.sub(self._masker("邮箱"), text)
        # ID numbers before cards and phones: an ID holds runs that look like either
        text = ID_NUMBER.sub(self._masker("身份证号"), text)
        text = BANK_CARD.sub(lambda m: self._mask_for("银行卡号", m.group(0)) if _is_card(m.group(0)) else m.group(0), text)
        return PHONE.sub(self._masker("电话"), text)

    def unmask(self, text: str) -> str:
        if not text or not self._mask_to_value:
            return text
        for mask, value in self._mask_to_value.items():
            text = text.replace(mask, value)
        return text
