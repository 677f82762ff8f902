"""The workspace the workspace tests share: three copies of the shipped ledger.

城管局 (one item closed through the CLI), a unit whose ledger.yaml names it 桃花潭镇人民政府
(its name taken from there; one item given a past deadline, so overdue), and 坏账局, whose
YAML is broken.
"""

from __future__ import annotations

import shutil

import pytest

from .conftest import DATA, invoke, write_issue

TODAY = "2022-02-23"  # the shipped snapshot's as_of
TAOHUA = "桃花潭镇人民政府"
WORKSPACE = """title: 县委巡察办 2022年巡察整改汇总
ledgers:
  - path: chengguan
    name: 城管局
    round: 四届第七轮
    level: 县直单位
  - path: taohua
    round: 四届第七轮
    level: 乡镇
  - path: broken
    name: 坏账局
    round: 四届第七轮
"""


def copy_ledger(space, folder: str):
    target = space / folder
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns(".rectify"))
    return target


@pytest.fixture
def space(tmp_path):
    root = tmp_path / "汇总"
    root.mkdir()
    chengguan = copy_ledger(root, "chengguan")
    closed = invoke("--ledger", str(chengguan), "--today", TODAY, "close", "16", "--on", "2022-02-20", "--by", "张三")
    assert closed.code == 0, closed.stderr
    taohua = copy_ledger(root, "taohua")
    info = taohua / "ledger.yaml"
    info.write_text(info.read_text(encoding="utf-8").replace("unit: 泾县城管执法局", f"unit: {TAOHUA}"), encoding="utf-8")
    text = (taohua / "issues" / "08.yaml").read_text(encoding="utf-8")
    overdue = text.replace("    title: 班子成员履行“一岗双责”不够\n", "    title: 班子成员履行“一岗双责”不够\n    deadline: 2022-01-31\n")
    assert overdue != text
    write_issue(taohua, "08.yaml", overdue)
    broken = copy_ledger(root, "broken")
    with (broken / "issues" / "03.yaml").open("a", encoding="utf-8") as file:
        file.write("  - : 坏\n")
    (root / "workspace.yaml").write_text(WORKSPACE, encoding="utf-8")
    return root


def run(space, *args):
    return invoke("--ledger", str(space), *args)


def tsv(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines()]
