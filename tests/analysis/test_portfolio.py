"""Portfolio totals over several analyses (figures from the worked example and a small one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeymap.analysis.engine import analyze
from journeymap.analysis.portfolio import portfolio
from tests.analysis.builders import broadband, journey


def _small() -> object:
    # sales -> field, 10 customers, owner field, each journey's lead shares: sales 0.5, field 0.5
    return journey(
        {
            "a": {
                "function": "sales",
                "volume": 10,
                "systems": ["crm"],
                "next": [{"to": "b", "owner": "field"}],
            },
            "b": {"function": "field", "systems": ["crm"], "outcome": "done"},
        },
        functions={"sales": {"lead": "VP Sales"}, "field": {"lead": "COO"}},
        owner="field",
        id="small",
        path="small.yaml",
    )


def test_portfolio_totals() -> None:
    a, b = analyze(broadband()), analyze(_small())  # type: ignore[arg-type]
    p = portfolio([a, b])
    assert [f.journey for f in p.journeys] == ["broadband", "small"]
    assert p.journeys[0].handoffs == 5 and p.journeys[1].handoffs == 1
    assert p.journeys[0].worst_risk == pytest.approx(2.0)
    pairs = {(x.from_function, x.to_function): x for x in p.pairs}
    sf = pairs["sales", "field"]
    # broadband call -> visit (80, 0.4) + small a -> b (10, 1.0)
    assert (sf.count, sf.journeys) == (2, 2)
    assert sf.flow == pytest.approx(90) and sf.per_customer == pytest.approx(1.4)
    assert p.pairs[0].from_function == "sales"  # highest per_customer first
    leads = {x.lead: x for x in p.leads}
    # COO: broadband field share 2800/8460 and small 0.5 -> mean
    assert leads["COO"].flow_share == pytest.approx((2800 / 8460 + 0.5) / 2)
    # COO's handoffs: broadband call->visit, visit->care, care->visit (3) + small a->b (1)
    assert leads["COO"].handoffs == 4
    # risky (a warning-level factor): visit->care (JM101...), care->visit (JM101, JM108),
    # call->visit (JM106); small a->b (owned, shared crm, no channels) has only JM100
    assert leads["COO"].risky_handoffs == 3
    # owner field: broadband call->visit and small a->b
    assert leads["COO"].owned_handoffs == 2
    assert [r.handoff.risk for r in p.worst_handoffs] == sorted(
        (h.risk for x in (a, b) for h in x.handoffs), reverse=True
    )
    assert len(portfolio([a, b], worst=2).worst_handoffs) == 2


def test_empty_portfolio() -> None:
    p = portfolio([])
    assert (p.journeys, p.pairs, p.leads, p.worst_handoffs) == ((), (), (), ())


def test_a_shared_function_has_the_organisation_files_lead_across_journeys() -> None:
    """telecom-onboarding renames the shared Customer Service "Customer care" and gives it its
    own lead, "Head of Care" (and its local Complaints team too, which claims-before, earlier in
    the portfolio, gives to the Head of Service); across the portfolio a function goes by the
    organisation file, else the first journey declaring it, so each lead has one row and the
    shared functions' leads are the organisation file's (read here from the YAML itself)."""
    import yaml as _yaml

    from journeymap.analysis.engine import analyze as _analyze
    from journeymap.config import load_config as _load_config
    from journeymap.load import load_journeys as _load_journeys

    root = Path(__file__).resolve().parents[2] / "journeys"
    org = _yaml.safe_load((root / "organisation.yaml").read_text(encoding="utf-8"))["functions"]
    analyses = [_analyze(j, _load_config(j.path)) for j in _load_journeys([root])]
    leads = portfolio(analyses).leads
    for total in leads:
        for fid in total.functions:
            if fid in org:
                assert (org[fid].get("lead") or org[fid]["name"]) == total.lead, (fid, total.lead)
    names = [t.lead for t in leads]
    assert "Head of Care" not in names and len(names) == len(set(names))
    service = next(t for t in leads if t.lead == "Head of Service")
    assert {"service", "complaints"} <= set(service.functions)
