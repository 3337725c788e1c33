import pytest

from reviewer.numbers import parse_number


@pytest.mark.parametrize(
    "raw,state,value,unit",
    [
        ("594.97", "value", 594.97, None),
        ("99分", "value", 99, "分"),
        ("１２３", "value", 123, None),
        ("1,234.5", "value", 1234.5, None),
        ("0", "value", 0, None),
        ("91.2%", "value", 91.2, "%"),
        ("5270元", "value", 5270, "元"),
        ("  ", "missing", None, None),
        ("", "missing", None, None),
        ("—", "none", None, None),
        ("-", "none", None, None),
        ("/", "none", None, None),
        ("无", "none", None, None),
        ("12.3.4", "unparsed", None, None),
        ("5%%", "unparsed", None, None),
        ("约100", "unparsed", None, None),
    ],
)
def test_parse_number(raw, state, value, unit):
    n = parse_number(raw)
    assert (n.state, n.value, n.unit) == (state, value, unit)
    assert n.raw == raw


def test_default_unit_only_when_none_given():
    assert parse_number("0.53", default_unit="万元").unit == "万元"
    assert parse_number("5270元", default_unit="万元").unit == "元"
