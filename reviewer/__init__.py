"""reviewer: review 部门整体支出绩效自评报告 and write a feedback memo for a human reviewer."""

__version__ = "0.1.0"
