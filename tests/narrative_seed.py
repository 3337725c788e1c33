"""The seed report (岳阳市云溪区委办公室 2021) as far as the narrative rules read it, built by hand.

The 8 定量目标 rows, the 年度总体运行情况 paragraph and the 定性目标 are copied exactly from
/work/shared/seed/yunxi-2021-quweiban.txt (a cell of several paragraphs joined with "\n", as the
ingest reads it); the 评分表 comes from checks_seed. Locations are illustrative (table 0 = the
form). No file is read: these tests do not depend on the ingest.

`seed_report()` returns a fresh Report each call; `report_with(...)` builds one from other rows.
"""

from __future__ import annotations

import checks_seed
import seed_rows
from reviewer.model import Location, QualitativeTarget, Report, TargetRow, Text

FORM = 0
OVERALL_ROW = 5
QUALITATIVE_ROW = 36
FIRST_TARGET_ROW = 38

OVERALL = '今年来，区委办公室坚持以习近平新时代中国特色社会主义思想为指导，认真落实“五个坚持”的总要求和中央、省、市党委办公室会议精神，紧紧围绕区委决策部署，大力推进规范化建设、精细化管理、高效化服务，有效确保了办公室各项目标任务全面实现，为云溪经济社会高质量发展提供了高水平的服务保障。1.文稿服务谋求长远大局。全年共起草了领导讲话、情况汇报等各类文稿100多篇80多万字，石化产业延链补链等一批调研成果纳入区委决策程序，区六次党代会报告、下半年重点工作攻坚行动讲话材料等一批领导文稿深受各方好评，《五个“走在前列”加快打造中部地区最大石化产业基地》《抢抓大机遇，主攻大项目，打造中部地区最大石化产业基地 》等一批文稿被《湖南日报》《岳阳日报》采用。2.督查督办敢于动真碰硬。围绕区委重大决策以及项目建设、环境治理、城乡统筹等工作重点、民生热点和社会焦点真督实查，组织和参与各类督查活动11次，办结区委主要领导批示18件，交办党群系统建议、提案8件，下发督办函12份，有效推动区委决策部署落到实处。区委督查室获评2020年度全省党委督查工作先进单位。3.信息服务瞄准重点亮点。积极推介全区工作先进典型，做好了《区委通报》《云溪情况》编辑工作和重大事项报告工作，贯彻落实市党代会精神、己内酰胺项目建设、“一码二单三签字”“五好”园区创建等一批信息得到省市信息刊物刊发，省委办信息处统计得分212分，排全市第一。4.深化改革突出难点热点。制订全区改革工作要点和任务倒排表，园区企业亩均效益评价、园区“去行政化”、“一件事一次办”等一批改革成果成为亮点，今年的8大类23大项100小项改革任务正按时序推进。5.绩效考核营造奋进氛围。紧盯区委“争创全市综合绩效考评先进”目标，对上积极协调、落实有关要求，对下团结督促全区各责任单位，凝心聚力、攻坚克难，2021年度云溪区获评市综合绩效考评县市区先进单位；坚持公平公正、强化正向激励，组织实施全区综合绩效考评工作评选出一大批先进单位和先进个人，为营造全区团结拼搏、担当实干氛围，激发全区干部奋发求为、干事创业热情发挥了积极作用。6.办文办会规范精准。严格控制会议数量、规格和规模，超前谋划、精心准备每一次会议，全力做好了区镇村负责干部大会、区第六次党代会、2021年下半年重点工作攻坚会等全区大型会议的会务工作；严把公文行文关、会签关、政策关、质量关，做到可发可不发的文件坚决不发，既保证了公文的严肃性，又提高文件的效能。全年发文数同比减少22.22%、会议数同比减少33.33%。7.事务协调顺畅高效。充分发挥区委办牵头揽总的作用，不断加强制度建设，重新修订《区委工作规则》，进一步健全“四大家”办公室之间、常委部门办公室之间，以及镇（街道）、部门单位办公室之间的协调协作机制，构建步调一致、上下贯通的工作格局。今年，加大对产业项目建设、区党代会、区镇村集中换届等重点工作的统筹服务力度，认真完善区级领导各项活动预安排制度，加强规范管理和综合协调，确保了各项工作有序推进。8.后勤保障细致周全。严格实行节假日24小时值班值守制度，全年接待来访360人次，妥善处理、回复各类信访54件。全力做好重要政务接待工作，圆满完成了全国人大副委员长沈跃跃、郝明金及国家发改委卢卫生等中央、省部级领导来区调研视察，全市产业项目建设流动现场会等重大接待活动20余批次。强化机要保密工作，今年共接收和办理各类上级文件570余份，密件170余件，密电220余份，转送机要邮件200余份，没有发生一起压误、丢失、错办、泄密事件。'

QUALITATIVE_EXPECTED = '目标1：认真贯彻落实区委的总体部署，紧扣中心，服务大局，精诚团结，扎实工作。\n目标2：突出围绕中心，提高决策服务、参谋辅政能力，充分发挥好“智囊团”“千里眼”“顺风耳”作用。\n目标3：加强单位职能建设，不断提高单位履职水平和能力，高质量完成办文办会、督查督办、绩效考核、深化改革、文稿起草、调查研究、值班值守、机要保密、队伍建设等工作。'
QUALITATIVE_ACTUAL = '今年来，区委办公室坚持以习近平新时代中国特色社会主义思想为指导，认真落实“五个坚持”的总要求和中央、省、市党委办公室会议精神，紧紧围绕区委决策部署，大力推进规范化建设、精细化管理、高效化服务，有效确保了办公室各项目标任务全面实现，为云溪经济社会高质量发展提供了高水平的服务保障。'

ROWS = seed_rows.ROWS

KINDS = [kind for _, kind, _, _ in ROWS]


def target_rows(rows: list[tuple[str, str, str, str]]) -> list[TargetRow]:
    out = []
    for i, (category, kind, target, completion) in enumerate(rows):
        r = FIRST_TARGET_ROW + i
        out.append(TargetRow(
            index=i,
            category=category,
            kind=kind,
            target=Text(text=target, location=Location(table=FORM, row=r, col=2, label=f"定量目标 {kind} 绩效目标")),
            completion=Text(text=completion, location=Location(table=FORM, row=r, col=3, label=f"定量目标 {kind} 完成情况")),
            location=Location(table=FORM, row=r, label=f"定量目标 {kind}"),
        ))
    return out


def report_with(rows: list[tuple[str, str, str, str]], overall: str = OVERALL, with_scores: bool = True) -> Report:
    return Report(
        source="yunxi-2021-quweiban (hand-built, narrative)",
        overall=Text(text=overall, location=Location(table=FORM, row=OVERALL_ROW, col=1, label="年度总体运行情况及取得的成绩")),
        qualitative=[QualitativeTarget(
            expected=Text(text=QUALITATIVE_EXPECTED, location=Location(table=FORM, row=QUALITATIVE_ROW, col=1, label="定性目标 预期目标")),
            actual=Text(text=QUALITATIVE_ACTUAL, location=Location(table=FORM, row=QUALITATIVE_ROW, col=2, label="定性目标 实际完成")),
        )],
        targets=target_rows(rows),
        score_table=checks_seed.seed_report().score_table if with_scores else None,
    )


def seed_report() -> Report:
    return report_with(ROWS)


def row_of(kind: str) -> tuple[str, str, str, str]:
    return next(r for r in ROWS if r[1] == kind)
