"""Pydantic models of a ledger: pure data and value parsing, no I/O."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from .vocab import (  # noqa: F401 - re-exported for the models' users
    ACTION_LABELS,
    ACTION_SYNONYMS,
    DATE_PATTERN,
    KIND_LABELS,
    KIND_SYNONYMS,
    PLACEHOLDER,
    SCHEMA_VERSION,
    STATUS_LABELS,
    STATUS_SYNONYMS,
    Action,
    Kind,
    Status,
    enum_words,
    parse_date,
    parse_enum,
    parse_text_list,
)


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


def to_record(instance):
    """A validated model as its plain record (records.py), recursively."""
    from .records import copier

    return copier(type(instance).__name__)(instance)
