"""``journeymap mine LOG -o page.html``: the page of the log's figures, written to a real file.

The log: two cases, C1 Sales -> Billing -> Sales, C2 Sales -> Billing; so 3 handoffs between
functions (Sales -> Billing twice, Billing -> Sales once), 1.50 per case, and C1 is sent back
to Sales via Billing directly (1 case of 2).
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from journeymap.cli import main
from journeymap.mining import mine
from journeymap.report.mining import mined_html

LOG = """case:concept:name,concept:name,time:timestamp,org:resource,org:group
C1,Order,2026-03-02T09:00:00+00:00,alice,Sales
C1,Bill,2026-03-02T10:00:00+00:00,bob,Billing
C1,Confirm,2026-03-02T11:00:00+00:00,alice,Sales
C2,Order,2026-03-02T09:00:00+00:00,alice,Sales
C2,Bill,2026-03-02T09:30:00+00:00,bob,Billing
"""


def _log(folder: Path) -> Path:
    log = folder / "orders.csv"
    log.write_text(LOG, encoding="utf-8")
    return log


def test_mine_writes_the_page_from_the_suffix(tmp_path: Path) -> None:
    log = _log(tmp_path)
    page = tmp_path / "x.html"
    result = CliRunner().invoke(main, ["mine", str(log), "-o", str(page)])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {page}\n"
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert html == mined_html(mine(str(log)))
    assert '<span class="big">1.50</span>' in html  # handoffs per case
    assert '<span class="big">50%</span>' in html  # cases sent back


def test_mine_html_to_standard_output(tmp_path: Path) -> None:
    log = _log(tmp_path)
    result = CliRunner().invoke(main, ["mine", str(log), "-f", "html"])
    assert result.exit_code == 0, result.output
    assert result.stdout == mined_html(mine(str(log)))
    assert list(tmp_path.iterdir()) == [log]
