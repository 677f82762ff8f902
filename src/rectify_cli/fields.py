"""Every field of a ledger, declared once: key, Chinese label, type, and where it shows.

The pydantic models (model.py), the plain records (records.py), the cache's
encoding (cache.py), `show`, the exports, the Excel importer's header matching,
the JSON Schemas and the README's field table are all made from these
declarations. To add a field, declare it here; the type decides how it is
parsed, stored, shown and exported.

The order of a group is the order of `show`, of the exports' columns and of
the JSON Schema. Nothing in this module imports more than the vocabulary, so
the fast read path can use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from .vocab import Action, CountBy, Kind, RuleAction, Status

# Types. Each layer (model, records, cache, views, exports, importer) knows how
# to handle each type once; a field only names its type.
TEXT = "text"  # one string
INT = "int"  # a whole number
DATE = "date"  # YYYY-MM-DD; 2022/2/23 and 2022年2月23日 accepted
NAMES = "names"  # a list of names; one string 环卫所、执法大队 is split
STRINGS = "strings"  # a list of strings, each kept whole
MAPPING = "mapping"  # key → text, in order
STATUS = "status"  # enumerations of vocab.py, written as token or Chinese word
KIND = "kind"
ACTION = "action"
COUNT_BY = "count_by"
RULE_ACTION = "rule_action"
FLAG = "flag"  # true / false (是 / 否)
AMOUNT = "amount"  # money in yuan to the fen (decimal.Decimal); 34600, 34600.00, 3.46万元 accepted
PENALTIES = "penalties"  # one or more forms of accountability (vocab.Penalty); one word or a list
MANY = "many"  # a list of records of the group named by `of`
ONE = "one"  # one record of the group named by `of`
ENUM_TYPES = {STATUS: Status, KIND: Kind, ACTION: Action, COUNT_BY: CountBy, RULE_ACTION: RuleAction}  # one value each
ENUMERATIONS = tuple(ENUM_TYPES)
LISTS = (NAMES, STRINGS, PENALTIES, MANY)
TYPE_WORDS = {  # how the README's field table names each type
    TEXT: "文字", INT: "整数", DATE: "日期", NAMES: "名称(可写多个)", STRINGS: "文字列表",
    MAPPING: "键: 名称", STATUS: "open / closed(或中文词)", KIND: "立行立改 / 限期整改 / 长期坚持",
    ACTION: "progress / close / reopen(或中文词)", COUNT_BY: "item / problem(或中文词)",
    RULE_ACTION: "new / revised(制定 / 修订)", AMOUNT: "金额(元)", PENALTIES: "问责方式(一种或几种)",
    MANY: "列表", ONE: "映射", FLAG: "true / false",
}


class Column(NamedTuple):
    """A field as an export column (csv, xlsx, md, html)."""

    header: str  # the column's Chinese header, as 台账 spreadsheets name it
    width: int  # in xlsx, in characters
    brief: bool = True  # also in the narrow tables (md, html board)
    before: str | None = None  # the key of the field whose column this one precedes (the 台账's order)


class Field(NamedTuple):
    """One field. A named tuple, not a dataclass: the declarations are read on every
    command's start, and a tuple is made ten times faster."""

    key: str  # as written in the YAML files
    label: str  # the Chinese name: one per field in show, exports, messages and schemas
    type: str
    description: str = ""
    synonyms: tuple[str, ...] = ()  # other names a clerk writes: Chinese keys, Excel headers
    required: bool = False
    default: object = None  # for a field not required; lists default to empty
    minimum: int | None = None  # the least number, or the least number of entries
    pattern: str | None = None  # a text's regular expression
    of: str | None = None  # the group of MANY / ONE
    core: bool = False  # list and summary need it: kept apart from the long texts in the cache
    shown: bool = True  # printed by `show`
    column: Column | None = None  # exported as a column of the 台账
    complete: bool = False  # a complete 台账 gives it for every item (the 五个一): `check` warns where it is blank

    @property
    def is_list(self) -> bool:
        return self.type in LISTS

    @property
    def named(self) -> str:
        """How messages name the field: closed_on(销号日期)."""
        return f"{self.key}({self.label})"

    @property
    def words(self) -> tuple[str, ...]:
        """Every name a clerk may give the field: its column header, label and synonyms."""
        names = [self.column.header] if self.column else []
        return tuple(dict.fromkeys([*names, self.label, *self.synonyms]))


class Group:
    """The fields of one kind of record, in order; `GROUP.key` is the field of that key."""

    def __init__(self, name: str, label: str, description: str, declared: list[Field], shorthand: str | None = None):
        self.name = name  # the record's class name
        self.label = label
        self.description = description
        self.shorthand = shorthand  # the field a bare string stands for, in a list of these records
        self.fields = tuple(declared)
        self._by_key = {f.key: f for f in declared}
        assert len(self._by_key) == len(declared), f"{name}: a key declared twice"
        required = [f.required for f in declared]
        assert required == sorted(required, reverse=True), f"{name}: required fields come first"

    def __getattr__(self, key: str) -> Field:
        try:
            return self.__dict__["_by_key"][key]
        except KeyError:
            raise AttributeError(key) from None

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)

    def get(self, key: str) -> Field | None:
        return self._by_key.get(key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self._by_key)


EVIDENCE = Group("Evidence", "佐证材料", "一份佐证材料:名称、文件,或两者", [
    Field("name", "材料名称", TEXT, "佐证材料的名称,如《……制度》"),
    Field("path", "文件路径", TEXT, "相对于台账目录的文件路径,如 evidence/13.2/照片.jpg"),
    Field("size", "字节数", INT, "文件大小(字节)", minimum=0, shown=False),
    Field("sha256", "SHA-256", TEXT, "文件内容的 SHA-256 校验值", pattern=r"^[0-9a-f]{64}$", shown=False),
], shorthand="name")

HISTORY_ENTRY = Group("HistoryEntry", "整改进展", "一次事件:进展、销号或重新打开", [
    Field("date", "日期", DATE, "事件发生的日期,YYYY-MM-DD", required=True),
    Field("action", "事件", ACTION, "progress 整改进展 / close 销号 / reopen 重新打开(回头看)", required=True),
    Field("by", "经办人", TEXT, "记录或办理人"),
    Field("note", "说明", TEXT, "进展情况或原因"),
    Field("evidence", "佐证材料", MANY, "本次附上的佐证材料", of=EVIDENCE.name),
    Field("closed_on", "原销号日期", DATE, "重新打开时记录被撤销的销号日期"),
    Field("closed_by", "原销号人", TEXT, "重新打开时记录被撤销的销号人"),
    Field("previous_outcome", "原整改成效", TEXT, "销号时被替换的整改成效原文"),
    Field("source", "来源", TEXT, "由部门填报表导入时:填报表编号/行号,防止重复导入", shown=False),
])

INSTITUTION = Group("Institution", "制度", "建立或完善的一项制度;只写名称即为新制定", [
    Field("name", "制度名称", TEXT, "制度的名称,如《……管理制度》", required=True),
    Field("action", "制定或修订", RULE_ACTION, "new 制定 / revised 修订", default=RuleAction.NEW),
    Field("date", "日期", DATE, "制定或修订的日期"),
], shorthand="name")

ACCOUNTABILITY = Group("Accountability", "问责", "问责的一种方式及人数;来源只给合计时可写几种方式", [
    Field("kind", "问责方式", PENALTIES, "党纪处分、政务处分、组织处理、诫勉、责令检查、批评教育、提醒谈话、批评帮助、"
          "交由纪委调查;只给合计时写成列表,如 [责令检查, 批评教育]", required=True, minimum=1),
    Field("people", "人数", INT, "被问责的人数", required=True, minimum=0),
])

ITEM = Group("Item", "具体问题", "一项具体问题:整改的最小单位,逐项销号", [
    Field("number", "序号", INT, "具体问题在本问题下的序号,从 1 起连续", required=True, minimum=1, core=True,
          shown=False),
    Field("title", "具体问题", TEXT, "具体问题的表述;问题只有一项时可省略", core=True,
          synonyms=("问题具体表现", "问题表现", "问题内容", "存在问题", "具体表现"), column=Column("具体问题", 28)),
    Field("description", "问题描述", TEXT, "问题的详细表现", column=Column("问题描述", 24, brief=False)),
    Field("measures", "整改措施", TEXT, "计划采取的整改措施", synonyms=("整改目标", "措施"),
          column=Column("整改措施", 24, brief=False), complete=True),
    Field("lead", "责任领导", TEXT, "牵头负责的领导", core=True, synonyms=("牵头领导", "分管领导"),
          column=Column("责任领导", 10, brief=False), complete=True),
    Field("departments", "责任部门", NAMES, "负责整改的部门(可写多个)", core=True,
          synonyms=("牵头部门", "责任单位", "责任单位(部门)", "牵头单位", "配合部门"), column=Column("责任部门", 12), complete=True),
    Field("owner", "责任人", TEXT, "具体负责的人员", synonyms=("整改责任人", "具体责任人"),
          column=Column("责任人", 8, brief=False)),
    Field("deadline", "整改时限", DATE, "应完成整改的日期", core=True, synonyms=("完成时限", "整改完成时限", "时限"),
          column=Column("整改时限", 12), complete=True),
    Field("kind", "整改类型", KIND, "立行立改 / 限期整改 / 长期坚持", core=True,
          synonyms=("整改方式",), column=Column("整改类型", 10, brief=False)),
    Field("status", "状态", STATUS, "open 未销号 / closed 已销号", default=Status.OPEN, core=True,
          synonyms=("整改状态", "是否完成", "是否销号", "完成状态", "销号情况"), column=Column("完成情况", 9)),
    Field("closed_on", "销号日期", DATE, "销号的日期", core=True, synonyms=("销号时间", "完成时间"),
          column=Column("销号日期", 12)),
    Field("closed_by", "销号人", TEXT, "办理销号的人"),
    Field("outcome", "整改成效", TEXT, "整改取得的成效;导出时与进展说明合为一栏",
          synonyms=("整改落实情况", "整改进展", "整改情况", "进展情况", "整改结果"), column=Column("整改进展及成效", 48, before="status")),
    Field("evidence", "佐证材料", MANY, "文件、照片等佐证材料", of=EVIDENCE.name, synonyms=("佐证资料",),
          column=Column("佐证材料", 18, brief=False)),
    Field("institutions", "建章立制", MANY, "整改中制定或修订的制度;只写名称即为新制定", of=INSTITUTION.name,
          core=True, synonyms=("制度建设",), column=Column("建章立制", 20, brief=False)),
    Field("accountability", "问责", MANY, "对相关人员的问责:方式及人数", of=ACCOUNTABILITY.name, core=True,
          synonyms=("追责问责", "问责情况"), column=Column("问责情况", 16, brief=False)),
    Field("funds_recovered", "追缴资金", AMOUNT, "追缴或收回的资金,元,至多两位小数;可写 34600、34600.00、3.46万元",
          core=True, synonyms=("收回资金", "追缴金额", "清退资金"), column=Column("追缴资金", 12, brief=False)),
    Field("remarks", "备注", TEXT, "其他需要说明的情况", column=Column("备注", 16, brief=False)),
    Field("history", "整改进展", MANY, "按日期记录的进展、销号、重新打开", of=HISTORY_ENTRY.name),
])

PROBLEM = Group("Problem", "问题", "一个问题文件 issues/NN.yaml:编号的问题及其具体问题", [
    Field("id", "问题编号", INT, "问题的序号,与文件名一致", required=True, minimum=1),
    Field("aspect", "方面", TEXT, "所属方面,须为 ledger.yaml 中 aspects 的键", required=True,
          synonyms=("问题类别", "类别", "问题类型"), column=Column("问题类别", 14)),
    Field("title", "问题", TEXT, "问题的标题,如“党史学习教育抓得不实”", required=True,
          synonyms=("反馈问题", "问题标题", "巡察反馈问题"), column=Column("问题", 18, brief=False)),
    Field("items", "具体问题", MANY, "本问题下的具体问题", required=True, minimum=1, of=ITEM.name),
])

INSPECTION = Group("Inspection", "巡察时间", "巡察的起止日期", [
    Field("start", "巡察开始日期", DATE, required=True),
    Field("end", "巡察结束日期", DATE, required=True),
])

RULE_COUNTS = Group("RuleCounts", "制度数", "制定、修订的制度项数", [
    Field("new", "新建制度数", INT, "新制定的制度项数", minimum=0),
    Field("revised", "修订制度数", INT, "修订完善的制度项数", minimum=0),
])

FIGURES = Group("Figures", "整改成果", "报告公布而各事项未逐项分解的成果数字;写明时以此为准", [
    Field("accountability", "问责", MANY, "问责的方式及人数,如 [{kind: 诫勉, people: 1}]", of=ACCOUNTABILITY.name),
    Field("institutions", "建章立制", ONE, "制定、修订的制度项数,如 {new: 13, revised: 3}", of=RULE_COUNTS.name),
    Field("funds_recovered", "追缴资金", AMOUNT, "追缴或收回的资金,元;可写 34600 或 3.46万元"),
])

REPORT_SECTION = Group("ReportSection", "通报部分", "通报的一个部分:标题(不含编号),及其段落或问题所在的标记", [
    Field("heading", "标题", TEXT, "部分的标题,不含“一、”这样的编号;文档没有分部分时,问题所在的部分没有标题"),
    Field("paragraphs", "段落", STRINGS, "本部分的段落,按原文"),
    Field("problems", "问题部分", FLAG, "true:各方面、问题和具体问题写在这一部分"),
])

REPORT = Group("Report", "通报正文", "导入的通报中不是问题的部分:开头、各部分、结尾,供生成通报使用", [
    Field("opening", "开头", STRINGS, "标题之后、第一部分之前的段落"),
    Field("sections", "部分", MANY, "按顺序的各部分;problems: true 的部分放问题", of=REPORT_SECTION.name),
    Field("closing", "结尾", STRINGS, "最后的段落:欢迎监督、联系电话等"),
    Field("date", "落款日期", DATE, "通报的发布日期,印在落款;不写则为数据截至日期或今天"),
])

LEDGER = Group("LedgerInfo", "台账", "ledger.yaml:巡察了谁、由谁、何时,以及问题的方面", [
    Field("title", "台账名称", TEXT, required=True),
    Field("unit", "被巡察单位", TEXT, required=True),
    Field("inspector", "巡察组", TEXT, required=True),
    Field("inspection", "巡察时间", ONE, "巡察的起止日期", of=INSPECTION.name),
    Field("feedback_date", "反馈日期", DATE, "反馈会召开日期"),
    Field("stated_items", "反馈问题数", INT, "反馈意见中写明的具体问题数", minimum=0),
    Field("stated_problems", "反馈问题个数", INT, "反馈意见中写明的问题数(按问题计数时的分母)", minimum=0),
    Field("count_by", "计数口径", COUNT_BY, "官方口径按 item 具体问题(默认)还是 problem 问题计数;"
          "一个问题的具体问题全部销号,该问题才算完成", default=CountBy.ITEM, synonyms=("统计口径",)),
    Field("as_of", "数据截至", DATE, "台账数据所截至的日期(快照);不写则为实时台账,按今天计算"),
    Field("aspects", "方面", MAPPING, "方面的键(一、二、三…)与名称,按顺序"),
    Field("figures", "整改成果", ONE, "报告公布的问责、建章立制、追缴资金数字", of=FIGURES.name),
    Field("report", "通报正文", ONE, "导入的通报中问题以外的部分(开头、各部分、结尾)", of=REPORT.name),
])

WORKSPACE_LEDGER = Group("WorkspaceLedger", "台账条目", "工作区中的一本台账:本地目录(path)或 git 仓库(git),二者取其一", [
    Field("path", "目录", TEXT, "台账目录,相对于工作区"),
    Field("git", "仓库", TEXT, "git 能识别的地址,克隆到工作区的 ledgers/<name>/"),
    Field("name", "单位简称", TEXT, "用于编号和表格的单位简称,唯一;不含 /、: 和 ..;默认为台账的 unit",
          pattern=r"^[^/:：]+$"),  # `..` is refused by the workspace loader
    Field("round", "轮次", TEXT, "巡察轮次,如 四届第七轮"),
    Field("level", "层级", TEXT, "单位层级,如 县直单位、乡镇、村"),
])

WORKSPACE = Group("Workspace", "工作区", "workspace.yaml:巡察办汇总的多本台账", [
    Field("ledgers", "台账", MANY, "工作区中的台账", required=True, of=WORKSPACE_LEDGER.name),
    Field("title", "标题", TEXT, "如 县委巡察办 2022年巡察整改汇总"),
])

GROUPS = {group.name: group for group in (EVIDENCE, HISTORY_ENTRY, INSTITUTION, ACCOUNTABILITY, ITEM, PROBLEM,
                                          INSPECTION, RULE_COUNTS, FIGURES, REPORT_SECTION, REPORT,
                                          LEDGER, WORKSPACE_LEDGER, WORKSPACE)}

# The columns an item's row carries besides its own fields: where it stands.
ITEM_ID = Column("序号", 7)  # the item's ID, 13.2 (编号 in show and list)
ITEM_ID_LABEL = "编号"
ID_SYNONYMS = ("编号",)
