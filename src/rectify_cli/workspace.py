"""A workspace: the inspection office's folder of many units' ledgers (workspace.yaml).

    title: 县委巡察办 2022年巡察整改汇总
    ledgers:
      - path: 城管局              # a ledger folder, relative to the workspace
        round: 四届第七轮
        level: 县直单位
      - git: file:///srv/乡镇/桃花潭.git   # cloned into ledgers/<name>/
        name: 桃花潭镇

This module reads the file into members (each ledger's unit name, folder, round, level, remote),
checked against the declared model (fields.WORKSPACE) with file:line:col diagnostics. The
commands that read across members, `sync` and the rest build on `read`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from . import fields
from .errors import Diagnostic, InvalidLedger, RectifyError, UnknownId
from .layout import WORKSPACE_FILE

CLONES_DIR = "ledgers"  # where git: entries are cloned, ledgers/<name>/
ENTRY = fields.WORKSPACE_LEDGER
NAME = ENTRY.get("name")  # not ENTRY.name: that is the group's own name


@dataclass(frozen=True)
class Member:
    """One ledger of the workspace."""

    name: str  # the unit's short name: in IDs (城管局/13.2) and tables
    folder: Path  # where its ledger.yaml lies (a clone's folder for git: entries)
    round: str | None = None
    level: str | None = None
    git: str | None = None  # the remote of a git: entry; its clone only follows it
    line: int | None = None  # of its entry in workspace.yaml

    def absence(self) -> str | None:
        """Why the member has no ledger to read (not cloned yet, a folder that is no ledger), or None."""
        from .layout import LEDGER_FILE

        if (self.folder / LEDGER_FILE).is_file():
            return None
        if self.git is not None:
            return f"尚未克隆 {self.git}(运行 rectify sync)"
        return f"{self.folder} 不是台账:其中没有 {LEDGER_FILE}(请检查 workspace.yaml 中的 path)"


@dataclass(frozen=True)
class Workspace:
    root: Path
    title: str | None
    members: list[Member]

    def clones(self) -> list[Member]:
        """The git: members, whose folders `sync` keeps up to date."""
        return [member for member in self.members if member.git is not None]

    def names(self) -> list[str]:
        return [member.name for member in self.members]

    def member(self, name: str) -> Member:
        for member in self.members:
            if member.name == name:
                return member
        raise self.unknown(name)

    def unknown(self, name: str) -> UnknownId:
        return UnknownId(f"工作区中没有单位 {name};有:{'、'.join(self.names())}")


def is_workspace(folder: Path) -> bool:
    return (folder / WORKSPACE_FILE).is_file()


def read(root: Path) -> Workspace:
    """The workspace at `root`; InvalidLedger with every problem (file:line:col) if it is wrong.

    Its entries, once valid, are kept in the workspace's cache with the SHA-256 of the file:
    read again unchanged, it is not validated again (which would load pydantic for it)."""
    path = root / WORKSPACE_FILE
    raw = path.read_bytes()
    remembered = _remembered(root, raw)
    if remembered is not None:
        return _workspace(root, *remembered)
    from .yamlsource import SourceError, decode  # read anew: parsed and validated

    try:
        title, entries = _entries(root, decode(path, raw))
    except SourceError as exc:
        raise InvalidLedger([exc.diagnostic]) from None
    found = _workspace(root, title, entries)
    _remember(root, raw, title, entries)
    return found


def _read_text(root: Path, text: str) -> Workspace:
    return _workspace(root, *_entries(root, text))


class _Entry(NamedTuple):
    """One entry of `ledgers:` as written, with where it begins."""

    path: str | None
    git: str | None
    name: str | None
    round: str | None
    level: str | None
    line: int | None
    column: int | None


def _entries(root: Path, text: str) -> tuple[str | None, list[_Entry]]:
    """(title, entries) of valid YAML matching the declared model; InvalidLedger if not."""
    from .yamlsource import parse

    path = root / WORKSPACE_FILE
    source = parse(path, text)
    from . import checks  # pydantic: only when a workspace is read anew
    from .model import Workspace as WorkspaceModel

    model, found = checks.validate(source, WorkspaceModel)
    if model is None:
        raise InvalidLedger(found)
    entries = []
    for position, entry in enumerate(model.ledgers):
        line, column = source.where((fields.WORKSPACE.ledgers.key, position))
        entries.append(_Entry(entry.path, entry.git, entry.name, entry.round, entry.level, line, column))
    return model.title, entries


def _workspace(root: Path, title: str | None, entries: list[_Entry]) -> Workspace:
    path = root / WORKSPACE_FILE
    members, problems = [], []
    for entry in entries:
        member, problem = _member(root, entry)
        members.append(member)
        if problem:
            problems.append(Diagnostic(path, entry.line, entry.column, problem))
    problems += _repeated_names(path, members)
    if problems:
        raise InvalidLedger(problems)
    return Workspace(root, title, members)


_CACHE_FILE = "workspace-cache"
_CACHE_FORMAT = 1  # of what _remember stores: changed with _Entry


def _remembered(root: Path, raw: bytes) -> tuple[str | None, list[_Entry]] | None:
    from . import cache
    from .layout import STATE_DIR

    stored = cache.read_record(root / STATE_DIR / _CACHE_FILE)
    if not isinstance(stored, tuple) or len(stored) != 4 or stored[:2] != (_CACHE_FORMAT, cache.digest(raw)):
        return None
    return stored[2], [_Entry(*entry) for entry in stored[3]]


def _remember(root: Path, raw: bytes, title: str | None, entries: list[_Entry]) -> None:
    """Kept only for a valid workspace (the caller got here without an error); failures are ignored."""
    from . import cache
    from .writing import state_dir

    try:
        folder = state_dir(root)
    except (OSError, RectifyError):
        return
    cache.write_record(folder / _CACHE_FILE, (_CACHE_FORMAT, cache.digest(raw), title, [tuple(e) for e in entries]))


def _member(root: Path, entry: _Entry) -> tuple[Member, str | None]:
    line = entry.line
    if (entry.path is None) == (entry.git is None):
        return Member(entry.name or "?", root, line=line), f"每个条目须有 {ENTRY.path.key} 或 {ENTRY.git.key},且只能有其一"
    if entry.git is not None:
        name = entry.name or Path(entry.git.rstrip("/")).stem
        problem = _bad_name(name) or ("git 地址不能以 - 开头" if entry.git.startswith("-") else None)
        return Member(name, root / CLONES_DIR / name, entry.round, entry.level, entry.git, line), problem
    folder = (root / entry.path).resolve()
    name = entry.name or _unit_of(folder) or folder.name
    return Member(name, folder, entry.round, entry.level, None, line), _bad_name(name)


def _bad_name(name: str) -> str | None:
    if not name or "/" in name or ":" in name or "：" in name or ".." in name:
        return f"单位简称 {name!r} 不能为空,也不能含 /、: 或 .."
    return None


def _unit_of(folder: Path) -> str | None:
    """The ledger's own unit (its ledger.yaml's `unit`), when it can be read: from its own line
    (and the lines that continue it), else from the whole file. A thousand members' ledger.yaml
    parsed whole on every command would take a second; a name in Chinese on one line is read
    without YAML at all."""
    from .layout import LEDGER_FILE

    try:
        text = (folder / LEDGER_FILE).read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):  # the member's own read says what is wrong
        return None
    found = _UNIT_LINE.search(text)
    value = found.group(0).partition(":")[2].strip() if found else ""
    if _PLAIN_NAME.fullmatch(value):
        return value
    data = _yaml_of(found.group(0)) if found else None
    if not isinstance(data, dict):
        data = _yaml_of(text)
    unit = data.get(fields.LEDGER.unit.key) if isinstance(data, dict) else None
    return unit if isinstance(unit, str) and unit.strip() else None


_UNIT_LINE = re.compile(rf"^{re.escape(fields.LEDGER.unit.key)}:.*(?:\n[ \t]+.*)*", re.MULTILINE)
# what YAML reads as that very text: one line, begun by a CJK character, no comment, no mapping
_PLAIN_NAME = re.compile(r"[\u3400-\u9fff][^\n#:：]*(?<![ \t])")


def _yaml_of(text: str):
    """The data of a snippet of YAML, or None when it is not YAML by itself."""
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None


def _repeated_names(path: Path, members: list[Member]) -> list[Diagnostic]:
    seen: dict[str, Member] = {}
    problems = []
    for member in members:
        if member.name in seen:
            message = f"单位简称 {member.name} 重复(第 {seen[member.name].line} 行已有);请用 name: 区分"
            problems.append(Diagnostic(path, member.line, 1, message))
        seen.setdefault(member.name, member)
    return problems


SCHEMA_NAME = "workspace.schema.json"
IGNORED = ("/ledgers/", ".rectify/")  # the clones are not the workspace's files; nor is rectify's state


def create(folder: Path, title: str | None, schemas: dict[str, dict]) -> list[Path]:
    """A new workspace: workspace.yaml (no ledgers yet), schemas/ and a .gitignore of the clones."""
    from .importers.plan import STYLE
    from .layout import LEDGER_FILE
    from .writing import replace_atomically, write_json_files
    from .yamledit import render_entry

    for name in (WORKSPACE_FILE, LEDGER_FILE):
        if (folder / name).exists():
            raise RectifyError(f"{folder} 中已有 {name},不会在此新建工作区")
    if folder.exists() and not folder.is_dir():
        raise RectifyError(f"{folder} 不是目录")
    lines = [f"# yaml-language-server: $schema=schemas/{SCHEMA_NAME}"]
    if title:
        lines.append(render_entry(fields.WORKSPACE.title.key, title, 0, STYLE))
    lines.append(f"{fields.WORKSPACE.ledgers.key}: []")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        written = write_json_files(folder / "schemas", schemas)
        _ignore(folder / ".gitignore")
        replace_atomically(folder / WORKSPACE_FILE, None, ("\n".join(lines) + "\n").encode("utf-8"))
    except PermissionError as exc:
        raise RectifyError(f"没有写入 {exc.filename or folder} 的权限") from None
    return [folder / WORKSPACE_FILE, folder / ".gitignore", *written]


def _ignore(path: Path) -> None:
    """The .gitignore holds IGNORED: lines a kept file lacks are added, the rest stays."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    missing = [line for line in IGNORED if line not in text.splitlines()]
    if missing:
        joined = "".join(f"{line}\n" for line in missing)
        path.write_text(text + ("\n" if text and not text.endswith("\n") else "") + joined, encoding="utf-8")


def add(root: Path, target: str, name: str | None = None, round: str | None = None,
        level: str | None = None, here: Path | None = None) -> Member:
    """Append an entry to workspace.yaml (comments and layout kept, written atomically): a folder
    holding a ledger becomes `path:` (relative to the workspace), a URL git understands `git:`."""
    from . import yamledit
    from .loading import split_bom
    from .writing import replace_atomically

    existing = read(root)
    entry = _entry_for(root, target, here or Path.cwd())
    entry.update({key: value for key, value in ((NAME.key, name), (ENTRY.round.key, round),
                                                (ENTRY.level.key, level)) if value is not None})
    candidate, problem = _member(root, _Entry(entry.get(ENTRY.path.key), entry.get(ENTRY.git.key), name, round,
                                              level, None, None))
    wanted = candidate.name  # as reading the file will name it
    if problem:
        raise RectifyError(f"{problem};请用 --name 另取一个")
    if wanted in {member.name for member in existing.members}:
        raise RectifyError(f"单位简称 {wanted} 已在工作区中;请用 --name 另取一个")
    path = root / WORKSPACE_FILE
    raw = path.read_bytes()
    bom, text = split_bom(raw)
    change = yamledit.ItemChange(append={fields.WORKSPACE.ledgers.key: [entry]})
    new_text = yamledit.edit_top_level(text, change, list(fields.WORKSPACE.keys))
    added = _read_text(root, new_text).members[-1]  # the edited file must read back as a workspace
    replace_atomically(path, raw, bom + new_text.encode("utf-8"))
    return added


def _entry_for(root: Path, target: str, here: Path) -> dict:
    from . import gitrun
    from .layout import LEDGER_FILE

    folder = (here / target).expanduser()
    if folder.is_dir():
        if not ((folder / LEDGER_FILE).is_file() or (folder / "data" / LEDGER_FILE).is_file()):
            raise RectifyError(f"{target} 不是台账目录:其中没有 {LEDGER_FILE}")
        ledger = folder if (folder / LEDGER_FILE).is_file() else folder / "data"
        return {ENTRY.path.key: Path(os.path.relpath(ledger.resolve(), root.resolve())).as_posix()}
    if gitrun.is_url(target):
        if target.startswith("-"):
            raise RectifyError(f"git 地址不能以 - 开头:{target}")
        return {ENTRY.git.key: target}
    raise RectifyError(f"{target} 既不是台账目录,也不是 git 地址(本机的仓库请写成 file:///路径)")


def check_workspace_file(root: Path) -> list[Diagnostic]:
    """What `check` says of workspace.yaml itself: its errors (file:line:col), and a warning
    when the clones' folder is tracked by the workspace's git repository."""
    try:
        read(root)
        found = []
    except InvalidLedger as exc:
        found = list(exc.diagnostics)
    return found + _tracked_clones(root)


def _tracked_clones(root: Path) -> list[Diagnostic]:
    from . import gitrun

    try:
        result = gitrun.run(["ls-files", "--", CLONES_DIR], cwd=root)
    except gitrun.GitMissing:
        return []
    if result.returncode != 0 or not result.stdout.strip():  # not a git repository, or nothing tracked
        return []
    message = (f"{CLONES_DIR}/ 已被 git 跟踪(其中是各单位台账的克隆,不应提交):"
               f"请运行 git rm -r --cached {CLONES_DIR},并在 .gitignore 中写上 /{CLONES_DIR}/")
    return [Diagnostic(root / CLONES_DIR, None, None, message, severity="warning")]


def check_member(member: Member, today, strict: bool = False) -> list[Diagnostic]:
    """A member's ledger checked as `rectify check` checks one; a missing one is an error."""
    from . import loading
    from .layout import LEDGER_FILE

    absent = member.absence()
    if absent:
        return [Diagnostic(member.folder / LEDGER_FILE, None, None, f"{member.name}:{absent}")]
    return loading.checked(member.folder, today, strict)[0]
