"""Pydantic models of a ledger: pure data and value parsing, no I/O."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from .ids import display_id

SCHEMA_VERSION = 1


class Status(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Kind(StrEnum):
    IMMEDIATE = "immediate"
    TIME_BOUND = "time_bound"
    LONG_TERM = "long_term"


class Action(StrEnum):
    PROGRESS = "progress"
    CLOSE = "close"
    REOPEN = "reopen"


STATUS_LABELS = {Status.OPEN: "未销号", Status.CLOSED: "已销号"}
KIND_LABELS = {
    Kind.IMMEDIATE: "立行立改",
    Kind.TIME_BOUND: "限期整改",
    Kind.LONG_TERM: "长期坚持",
}
ACTION_LABELS = {Action.PROGRESS: "进展", Action.CLOSE: "销号", Action.REOPEN: "重新打开"}

# Words a clerk may write instead of the canonical token.
STATUS_SYNONYMS = {
    Status.OPEN: ["未销号", "未完成", "正在整改", "整改中", "进行中", "未整改", "未办结", "开放"],
    Status.CLOSED: ["已销号", "已完成", "完成", "已整改", "整改完成", "已办结", "销号", "关闭"],
}
KIND_SYNONYMS = {
    Kind.IMMEDIATE: ["立行立改", "立即整改", "即知即改"],
    Kind.TIME_BOUND: ["限期整改", "限时整改"],
    Kind.LONG_TERM: ["长期坚持", "长期整改", "持续整改"],
}
ACTION_SYNONYMS = {
    Action.PROGRESS: ["进展", "整改进展"],
    Action.CLOSE: ["销号", "关闭"],
    Action.REOPEN: ["重新打开", "回头看", "重开"],
}

DATE_PATTERN = r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?$"
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_LIST_SPLIT_RE = re.compile(r"[、,，;；]")


def enum_words(synonyms: dict) -> list[str]:
    """Every word accepted for an enumeration: canonical tokens first."""
    words = [str(token) for token in synonyms]
    for token_words in synonyms.values():
        words.extend(token_words)
    return words


def parse_enum(enum_type: type[StrEnum], synonyms: dict, value: Any) -> Any:
    """Map a canonical token or a Chinese synonym to the enum member."""
    if not isinstance(value, str):
        return value
    for member in enum_type:
        if value == member.value or value in synonyms.get(member, []):
            return member
    return value


def parse_date(value: Any) -> dt.date:
    """Accept a YAML date, or text such as 2022-02-23, 2022/2/23 or 2022年2月23日."""
    if isinstance(value, dt.datetime):
        raise ValueError("应为日期 YYYY-MM-DD,不带时间")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        match = _DATE_RE.match(value.strip())
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise ValueError(f"日期 {value.strip()} 不存在") from None
    raise ValueError("应为日期,格式 YYYY-MM-DD")


def parse_text_list(value: Any) -> Any:
    """A list of names may be written as one string: 环卫所、执法大队."""
    if isinstance(value, str):
        return [part.strip() for part in _LIST_SPLIT_RE.split(value) if part.strip()]
    return value


def parse_evidence(value: Any) -> Any:
    """A bare string in an evidence list names a document."""
    if isinstance(value, str):
        return {"name": value}
    return value


def _enum_field(enum_type, synonyms):
    schema = {"type": "string", "enum": enum_words(synonyms)}
    return Annotated[
        enum_type,
        BeforeValidator(lambda value: parse_enum(enum_type, synonyms, value)),
        WithJsonSchema(schema),
    ]


StatusField = _enum_field(Status, STATUS_SYNONYMS)
KindField = _enum_field(Kind, KIND_SYNONYMS)
ActionField = _enum_field(Action, ACTION_SYNONYMS)

DateField = Annotated[
    dt.date,
    BeforeValidator(parse_date),
    WithJsonSchema({"type": "string", "pattern": DATE_PATTERN}),
]
TextList = Annotated[
    list[str],
    BeforeValidator(parse_text_list),
    WithJsonSchema(
        {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]}
    ),
]


class Strict(BaseModel):
    # strict: no quiet coercion ("34" is not 34), so the JSON Schema accepts what the tool does
    model_config = ConfigDict(extra="forbid", strict=True)


class Evidence(Strict):
    name: str | None = Field(None, title="材料名称", description="佐证材料的名称,如《……制度》")
    path: str | None = Field(
        None, title="文件路径", description="相对于台账目录的文件路径,如 evidence/13.2/照片.jpg"
    )
    size: int | None = Field(None, ge=0, title="字节数", description="文件大小(字节)")
    sha256: str | None = Field(
        None, pattern=r"^[0-9a-f]{64}$", title="SHA-256", description="文件内容的 SHA-256 校验值"
    )


class _OrDocumentName:
    """Schema note: an evidence entry may also be written as a bare document name."""

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema, handler):
        return {"anyOf": [handler(core_schema), {"type": "string", "title": "材料名称"}]}


EvidenceField = Annotated[Evidence, BeforeValidator(parse_evidence), _OrDocumentName]


class HistoryEntry(Strict):
    date: DateField = Field(title="日期", description="事件发生的日期,YYYY-MM-DD")
    action: ActionField = Field(
        title="事件", description="progress 整改进展 / close 销号 / reopen 重新打开(回头看)"
    )
    by: str | None = Field(None, title="经办人", description="记录或办理人")
    note: str | None = Field(None, title="说明", description="进展情况或原因")
    evidence: list[EvidenceField] = Field(
        default_factory=list, title="佐证材料", description="本次附上的佐证材料"
    )
    closed_on: DateField | None = Field(
        None, title="原销号日期", description="重新打开时记录被撤销的销号日期"
    )
    closed_by: str | None = Field(
        None, title="原销号人", description="重新打开时记录被撤销的销号人"
    )
    previous_outcome: str | None = Field(
        None, title="原整改成效", description="销号时被替换的整改成效原文"
    )


class Item(Strict):
    number: int = Field(ge=1, title="序号", description="具体问题在本问题下的序号,从 1 起连续")
    title: str | None = Field(
        None, title="具体问题", description="具体问题的表述;问题只有一项时可省略"
    )
    description: str | None = Field(None, title="问题描述", description="问题的详细表现")
    kind: KindField | None = Field(
        None, title="整改类型", description="立行立改 / 限期整改 / 长期坚持"
    )
    measures: str | None = Field(None, title="整改措施", description="计划采取的整改措施")
    lead: str | None = Field(None, title="责任领导", description="牵头负责的领导")
    departments: TextList = Field(
        default_factory=list, title="责任部门", description="负责整改的部门(可写多个)"
    )
    owner: str | None = Field(None, title="责任人", description="具体负责的人员")
    deadline: DateField | None = Field(None, title="整改时限", description="应完成整改的日期")
    status: StatusField = Field(
        Status.OPEN, title="状态", description="open 未销号 / closed 已销号"
    )
    closed_on: DateField | None = Field(None, title="销号日期", description="销号的日期")
    closed_by: str | None = Field(None, title="销号人", description="办理销号的人")
    outcome: str | None = Field(None, title="整改成效", description="整改取得的成效")
    evidence: list[EvidenceField] = Field(
        default_factory=list, title="佐证材料", description="文件、照片等佐证材料"
    )
    institutions: list[str] = Field(
        default_factory=list, title="建章立制", description="整改中建立或完善的制度"
    )
    history: list[HistoryEntry] = Field(
        default_factory=list, title="整改进展", description="按日期记录的进展、销号、重新打开"
    )


class Problem(Strict):
    """One issue file: a numbered problem and its specific items."""

    id: int = Field(ge=1, title="问题编号", description="问题的序号,与文件名一致")
    aspect: str = Field(title="方面", description="所属方面,须为 ledger.yaml 中 aspects 的键")
    title: str = Field(title="问题", description="问题的标题,如“党史学习教育抓得不实”")
    items: list[Item] = Field(min_length=1, title="具体问题", description="本问题下的具体问题")


class Inspection(Strict):
    start: DateField = Field(title="巡察开始日期")
    end: DateField = Field(title="巡察结束日期")


PLACEHOLDER = "(待填写)"


class LedgerInfo(Strict):
    """ledger.yaml: what was inspected, by whom, when, and the aspects."""

    title: str = Field(title="台账名称")
    unit: str = Field(title="被巡察单位")
    inspector: str = Field(title="巡察组")
    inspection: Inspection | None = Field(None, title="巡察时间", description="巡察的起止日期")
    feedback_date: DateField | None = Field(None, title="反馈日期", description="反馈会召开日期")
    stated_items: int | None = Field(
        None, ge=0, title="反馈问题数", description="反馈意见中写明的具体问题数"
    )
    aspects: dict[str, str] = Field(
        default_factory=dict, title="方面", description="方面的键(一、二、三…)与名称,按顺序"
    )

    @property
    def inspection_start(self) -> dt.date | None:
        return self.inspection.start if self.inspection else None


def field_titles(model: type[BaseModel]) -> dict[str, str]:
    """Field name → its Chinese title, for messages."""
    return {name: (info.title or name) for name, info in model.model_fields.items()}


@dataclass(frozen=True)
class Entry:
    """One item seen with its problem: what lists, filters and views work on."""

    problem: Problem
    item: Item

    @property
    def single(self) -> bool:
        return len(self.problem.items) == 1

    @property
    def id(self) -> str:
        return display_id(self.problem.id, self.item.number, self.single)

    @property
    def sort_key(self) -> tuple[int, int]:
        return self.problem.id, self.item.number

    @property
    def title(self) -> str:
        """The item's own title, falling back to its problem's."""
        return self.item.title or self.problem.title

    @property
    def is_open(self) -> bool:
        return self.item.status is Status.OPEN

    def is_overdue(self, today: dt.date) -> bool:
        deadline = self.item.deadline
        return self.is_open and deadline is not None and deadline < today


@dataclass
class Ledger:
    """A whole ledger in memory: ledger.yaml plus every problem, ordered by id."""

    info: LedgerInfo
    problems: list[Problem] = field(default_factory=list)

    def entries(self) -> list[Entry]:
        ordered = sorted(self.problems, key=lambda problem: problem.id)
        return [Entry(problem, item) for problem in ordered for item in problem.items]

    def problem(self, problem_id: int) -> Problem | None:
        return next((p for p in self.problems if p.id == problem_id), None)

    def aspect_title(self, key: str) -> str:
        return self.info.aspects.get(key, key)
