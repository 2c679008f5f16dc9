"""Seeded generator of realistic journey files, for benchmarks and scale tests.

One journey of N touchpoints::

    python benchmarks/generate.py --touchpoints 10000 --seed 1 -o big.journey.yaml

A portfolio of M journeys sharing one ``organisation.yaml`` (each journey says ``uses:``)::

    python benchmarks/generate.py --journeys 200 --touchpoints 40 --seed 1 -o portfolio/

The same arguments always give the same bytes. What is generated (see docs/performance.md):

- stages in file order; touchpoints assigned to stages in file order;
- 5-12 functions, each with 1-3 systems; about a fifth of the systems are shadow IT; integrations
  form a mostly connected web, some one-way, most shadow systems are not integrated;
- a few entries (``entry: true`` with ``volume``); every other touchpoint has a parent earlier in
  the file, so every touchpoint is reachable; branching 1-4; about 6% of touchpoints loop back to
  an earlier touchpoint (mostly in an earlier stage); every touchpoint can still reach a terminal
  through forward transitions, so no cycle lacks an exit;
- shares on about half the touchpoints (all of their transitions or none), a quarter of those
  summing below 1 (drop-off); waits, owners, notes, ``asks`` and ``carries`` from a small pool of
  context items; emotions as a random walk; outcomes on every terminal and only there.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Organisation",
    "make_organisation",
    "organisation_yaml",
    "generate_journey",
    "generate_portfolio",
    "main",
]

# id, name, lead, activities (slug, name, channel)
FUNCTIONS: tuple[tuple[str, str, str, tuple[tuple[str, str, str], ...]], ...] = (
    ("marketing", "Marketing", "CMO", (
        ("campaign", "Social campaign", "social"), ("website", "Product website", "web"),
        ("newsletter", "Newsletter", "email"), ("webinar", "Webinar", "web"),
        ("event", "Trade fair stand", "store"))),
    ("sales", "Sales", "CRO", (
        ("demo", "Demo call", "phone"), ("quote", "Quote by email", "email"),
        ("contract", "Contract signature", "web"), ("visit", "Account visit", "field"),
        ("negotiation", "Price negotiation", "phone"))),
    ("ops", "Operations", "COO", (
        ("order", "Order confirmation", "email"), ("provision", "Account provisioning", "web"),
        ("schedule", "Scheduling call", "phone"), ("status", "Status page", "web"))),
    ("service", "Customer Service", "Head of Service", (
        ("support-call", "Support call", "phone"), ("ticket", "Support ticket", "email"),
        ("chat", "Live chat", "chat"), ("callback", "Callback", "phone"))),
    ("finance", "Finance", "CFO", (
        ("credit-check", "Credit check", "mail"), ("invoice", "Invoice", "email"),
        ("refund", "Refund", "email"))),
    ("billing", "Billing", "CFO", (
        ("bill", "Monthly bill", "email"), ("payment", "Payment page", "web"),
        ("dunning", "Payment reminder", "mail"))),
    ("it", "IT", "CIO", (
        ("login", "Account login", "app"), ("password-reset", "Password reset", "web"),
        ("app-update", "App update", "app"))),
    ("field", "Field service", "COO", (
        ("install", "Engineer visit", "field"), ("repair", "Repair visit", "field"),
        ("survey-visit", "Site survey", "field"))),
    ("logistics", "Logistics", "Supply Chain Director", (
        ("shipment", "Shipment", "delivery"), ("tracking", "Parcel tracking", "web"),
        ("return", "Return collection", "delivery"))),
    ("retail", "Retail stores", "Retail Director", (
        ("store-visit", "Store visit", "store"), ("pickup", "Click and collect", "store"),
        ("trade-in", "Trade-in desk", "store"))),
    ("legal", "Legal", "General Counsel", (
        ("terms", "Terms review", "email"), ("dispute", "Dispute letter", "mail"))),
    ("success", "Customer Success", "Chief Customer Officer", (
        ("onboarding", "Onboarding session", "video"), ("review", "Quarterly review", "video"),
        ("renewal", "Renewal call", "phone"), ("nps", "NPS survey", "email"))),
)

# systems per function: id, name
SYSTEMS: dict[str, tuple[tuple[str, str], ...]] = {
    "marketing": (("cms", "Web CMS"), ("mkt-auto", "Marketing automation"),
                  ("survey", "Survey tool")),
    "sales": (("crm", "CRM"), ("quote-tool", "Quoting tool"), ("sales-sheet", "Deal sheet")),
    "ops": (("oms", "Order management"), ("ops-tracker", "Operations tracker")),
    "service": (("ticketing", "Service desk"), ("telephony", "Contact centre telephony")),
    "finance": (("erp", "ERP"), ("credit", "Credit scoring")),
    "billing": (("billing", "Billing system"), ("payments", "Payment gateway")),
    "it": (("idp", "Identity provider"), ("app-backend", "Mobile app backend")),
    "field": (("wfm", "Field scheduling"), ("field-app", "Engineer app")),
    "logistics": (("wms", "Warehouse management"), ("carrier", "Carrier portal")),
    "retail": (("pos", "Store till"), ("loyalty", "Loyalty platform")),
    "legal": (("clm", "Contract management"),),
    "success": (("cs-platform", "Customer success platform"), ("nps-tool", "NPS tool")),
}

CHANNELS = (
    ("web", "Web site"), ("app", "Mobile app"), ("email", "Email"), ("phone", "Phone"),
    ("chat", "Live chat"), ("social", "Social media"), ("video", "Video call"),
    ("store", "Store"), ("field", "Home visit"), ("mail", "Letter"), ("delivery", "Courier"),
)

STAGES = ("aware", "consider", "buy", "onboard", "deliver", "use", "support", "pay", "renew",
          "advocate", "expand", "leave")
ITEMS = ("contact", "address", "account-number", "order-number", "bank-details", "needs",
         "id-document", "serial-number", "fault-description", "meter-reading")
OUTCOMES = ("won", "lost", "churned", "resolved", "abandoned", "renewed", "live")
WAITS = ("30m", "2h", "4h", "1d", "2d", "3d", "5d", "1w")
PAINS = ("Generic message", "Had to repeat my details", "Long wait on hold",
         "Nobody called back", "Confusing form", "Sent to another department")
GAINS = ("Quick answer", "Friendly agent", "Clear next steps")
NOTES = ("Lead routed by round robin", "Manual re-keying between tools", "Batch job overnight")
THEMES = ("b2b-purchase", "home-move", "broadband-install", "fault-repair", "billing-dispute",
          "renewal", "onboarding", "return", "upgrade", "cancellation")

WINDOW = 24  # forward transitions go at most this many touchpoints ahead in file order


@dataclass
class Organisation:
    """Functions, systems and integrations a journey runs through."""

    functions: list[str]
    systems: dict[str, tuple[str, str, bool]] = field(default_factory=dict)  # id -> name, owner, shadow
    integrations: list[tuple[str, str, bool]] = field(default_factory=list)  # a, b, one-way

    def systems_of(self, function: str) -> list[str]:
        return [s for s, (_, owner, _) in self.systems.items() if owner == function]


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text)


def make_organisation(rng: random.Random, n_functions: int | None = None) -> Organisation:
    """Pick 5-12 functions with their systems (some shadow) and integrations."""
    count = n_functions if n_functions is not None else rng.randint(5, 12)
    picked = sorted(rng.sample(range(len(FUNCTIONS)), count))
    org = Organisation(functions=[FUNCTIONS[i][0] for i in picked])
    for fid in org.functions:
        pool = SYSTEMS[fid]
        for sid, name in pool[: rng.randint(1, len(pool))]:
            org.systems[sid] = (name, fid, rng.random() < 0.2)
    ids = list(org.systems)
    if not any(shadow for _, _, shadow in org.systems.values()):
        last = ids[-1]
        name, owner, _ = org.systems[last]
        org.systems[last] = (name, owner, True)
    governed = [s for s in ids if not org.systems[s][2]]
    shadows = [s for s in ids if org.systems[s][2]]
    seen: set[tuple[str, str]] = set()

    def link(a: str, b: str, one_way: bool) -> None:
        if a != b and (a, b) not in seen and (b, a) not in seen:
            seen.add((a, b))
            org.integrations.append((a, b, one_way))

    for k in range(1, len(governed)):  # a random spanning tree, some edges one-way
        link(governed[rng.randrange(k)], governed[k], rng.random() < 0.3)
    for _ in range(len(governed) // 3):  # a few extra flows
        link(rng.choice(governed), rng.choice(governed), rng.random() < 0.5)
    for s in shadows:  # a third of shadow systems push one way into a governed one
        if governed and rng.random() < 0.34:
            link(s, rng.choice(governed), True)
    return org


def organisation_yaml(org: Organisation, *, header: bool = True) -> list[str]:
    """The functions/systems/integrations/channels sections as YAML lines."""
    lines = ["journeymap: 1", ""] if header else []
    lines.append("functions:")
    for fid in org.functions:
        _, name, lead, _ = next(f for f in FUNCTIONS if f[0] == fid)
        lines.append(f"  {fid}: {{name: {name}, lead: {lead}}}")
    lines += ["", "systems:"]
    for sid, (name, owner, shadow) in org.systems.items():
        extra = ", shadow: true" if shadow else ""
        lines.append(f"  {sid}: {{name: {name}, owner: {owner}{extra}}}")
    if org.integrations:
        lines += ["", "integrations:"]
        for a, b, one_way in org.integrations:
            extra = ", one-way: true" if one_way else ""
            lines.append(f"  - {{between: [{a}, {b}]{extra}}}")
    lines += ["", "channels:"]
    lines += [f"  {cid}: {{name: {name}}}" for cid, name in CHANNELS]
    return lines


def _stage_count(n: int) -> int:
    wanted = 3 if n < 20 else 5 if n < 200 else 8 if n < 5000 else 10
    return max(1, min(wanted, n))


def _branching(rng: random.Random) -> int:
    return rng.choices((1, 2, 3, 4), weights=(40, 35, 15, 10))[0]


def _shares(rng: random.Random, k: int) -> list[str]:
    """k shares in thousandths, each >= 0.001, summing to 1 (3 times in 4) or below 1."""
    total = 1000 if rng.random() < 0.75 else rng.randint(500, 950)
    weights = [rng.random() + 0.2 for _ in range(k)]
    parts = [max(1, int(w / sum(weights) * total)) for w in weights]
    parts[-1] = max(1, total - sum(parts[:-1]))
    while sum(parts) > 1000:  # only possible when rounding pushed tiny parts up
        i = parts.index(max(parts))
        parts[i] -= 1
    return [f"{p / 1000:.3f}".rstrip("0").rstrip(".") for p in parts]


def generate_journey(
    touchpoints: int,
    seed: int = 0,
    *,
    org: Organisation | None = None,
    uses: str | None = None,
    journey_id: str | None = None,
    title: str | None = None,
) -> str:
    """YAML text of one valid journey with ``touchpoints`` touchpoints.

    With ``org`` and ``uses`` the journey refers to a shared organisation file instead of
    declaring its own functions and systems.
    """
    if touchpoints < 1:
        raise ValueError("a journey needs at least one touchpoint")
    n = touchpoints
    rng = random.Random(seed)
    if org is None:
        org = make_organisation(rng)
        own_org = True
    else:
        own_org = False
    # functions this journey touches: all of a local organisation, 5-12 of a shared one
    if own_org:
        functions = list(org.functions)
    else:
        functions = sorted(rng.sample(org.functions, min(len(org.functions), rng.randint(5, 12))),
                           key=org.functions.index)
    n_stages = _stage_count(n)
    stages = list(STAGES[:n_stages])
    # each stage: a primary function and 1-3 secondary ones; every function gets a stage
    order = functions[:]
    rng.shuffle(order)
    stage_functions: list[list[str]] = []
    for k in range(n_stages):
        primary = order[k % len(order)]
        others = rng.sample(functions, min(len(functions), rng.randint(1, 3)))
        stage_functions.append([primary] + [f for f in others if f != primary])
    for k, fid in enumerate(order[n_stages:]):
        stage_functions[k % n_stages].append(fid)
    activities = {f[0]: f[3] for f in FUNCTIONS}
    all_systems = list(org.systems)
    function_systems = {fid: org.systems_of(fid) for fid in functions}

    n_entries = min(n, 1 + n // 2500, 40)
    stage_of = [j * n_stages // n for j in range(n)]
    first_of_stage = [stage_of.index(k) for k in range(n_stages)]
    terminal = [False] * n
    terminal[n - 1] = True
    for j in range(max(n_entries, int(n * 0.3)), n - 1):
        terminal[j] = rng.random() < 0.04
    branching = [0 if terminal[j] else _branching(rng) for j in range(n)]
    targets: list[list[int]] = [[] for _ in range(n)]
    function = [""] * n
    parent = [-1] * n
    entry = [j < n_entries for j in range(n)]

    def open_parent(j: int) -> int:
        lo = max(0, j - WINDOW)
        for _ in range(8):
            p = rng.randrange(lo, j)
            if not terminal[p] and len(targets[p]) < branching[p]:
                return p
        for p in range(j - 1, -1, -1):
            if not terminal[p] and len(targets[p]) < 4:
                return p
        return -1

    for j in range(n):
        stage_fns = stage_functions[stage_of[j]]
        if not entry[j]:
            p = open_parent(j)
            if p < 0:
                entry[j] = True
            else:
                parent[j] = p
                targets[p].append(j)
        p = parent[j]
        if p >= 0 and function[p] in stage_fns and rng.random() < 0.55:
            function[j] = function[p]
        elif rng.random() < 0.5:
            function[j] = stage_fns[0]
        else:
            function[j] = rng.choice(stage_fns)
    # fill up each touchpoint's branching with forward transitions
    for p in range(n):
        if terminal[p]:
            continue
        hi = min(n - 1, p + WINDOW)
        room = hi - p
        want = min(branching[p], room) - len(targets[p])
        tries = 0
        while want > 0 and tries < 20:
            t = rng.randint(p + 1, hi)
            tries += 1
            if t not in targets[p]:
                targets[p].append(t)
                want -= 1
        if not targets[p]:
            targets[p].append(p + 1)
    # loops back, mostly to the previous stage
    for p in range(n):
        if terminal[p] or len(targets[p]) >= 4 or rng.random() >= 0.06:
            continue
        k = stage_of[p]
        if k > 0 and rng.random() < 0.6:
            lo, hi = max(0, first_of_stage[k] - WINDOW), first_of_stage[k] - 1
        else:
            lo, hi = max(0, p - WINDOW), p - 1
        if hi < lo:
            continue
        q = rng.randint(lo, hi)
        if not terminal[q] and q not in targets[p]:
            targets[p].append(q)

    ids = []
    for j in range(n):
        slug, _, _ = activities[function[j]][j % len(activities[function[j]])]
        ids.append(f"{slug}-{j + 1}")

    jid = journey_id or f"generated-{n}"
    lines = [
        "# Generated by benchmarks/generate.py; do not edit.",
    ]
    if own_org:
        lines += organisation_yaml(org)
    else:
        lines += ["journeymap: 1"]
    lines += [
        f"id: {jid}",
        f"title: {title or f'Generated journey of {n} touchpoints'}",
        "persona: Customer of a mid-sized company",
    ]
    if rng.random() < 0.3:
        lines.append(f"owner: {rng.choice(functions)}")
    if uses:
        lines.append(f"uses: {uses}")
    lines += ["", f"stages: [{', '.join(stages)}]", "", "touchpoints:"]
    emotion = [3] * n
    asked: list[list[str]] = [[] for _ in range(n)]
    for j in range(n):
        fid = function[j]
        _, name, channel = activities[fid][j % len(activities[fid])]
        out = [f"  {ids[j]}:", f"    name: {name}", f"    stage: {stages[stage_of[j]]}",
               f"    function: {fid}", f"    channel: {channel}"]
        r = rng.random()
        if r < 0.15:
            systems: list[str] = []
        else:
            own = function_systems[fid]
            pool = own if own and rng.random() < 0.8 else all_systems
            systems = rng.sample(pool, min(len(pool), 1 if r < 0.75 else 2))
        if systems:
            out.append(f"    systems: [{', '.join(systems)}]")
        base = emotion[parent[j]] if parent[j] >= 0 else rng.randint(2, 4)
        emotion[j] = min(5, max(1, base + rng.choice((-2, -1, 0, 0, 1, 1))))
        if rng.random() < 0.8:
            out.append(f"    emotion: {emotion[j]}")
        if entry[j]:
            out += ["    entry: true", f"    volume: {rng.randrange(100, 20000, 100)}"]
        if rng.random() < 0.3:
            asked[j] = rng.sample(ITEMS, rng.randint(1, 2))
            out.append(f"    asks: [{', '.join(asked[j])}]")
        if rng.random() < 0.15:
            out.append(f"    pains: [{_q(rng.choice(PAINS))}]")
        if rng.random() < 0.08:
            out.append(f"    gains: [{_q(rng.choice(GAINS))}]")
        if rng.random() < 0.1:
            out.append(f"    kpis: {{csat: {_q(f'{rng.randint(20, 49) / 10}')}}}")
        if terminal[j]:
            out.append(f"    outcome: {rng.choice(OUTCOMES)}")
        else:
            outs = targets[j]
            shares = _shares(rng, len(outs)) if rng.random() < 0.5 else None
            edges = []
            for i, t in enumerate(outs):
                attrs = [f"to: {ids[t]}"]
                if shares:
                    attrs.append(f"share: {shares[i]}")
                if asked[j] and rng.random() < 0.3:
                    attrs.append(f"carries: [{asked[j][0]}]")
                if function[t] != fid and rng.random() < 0.5:
                    attrs.append(f"owner: {rng.choice((fid, function[t]))}")
                if rng.random() < 0.15:
                    attrs.append(f"wait: {rng.choice(WAITS)}")
                if rng.random() < 0.03:
                    attrs.append(f"note: {_q(rng.choice(NOTES))}")
                edges.append(attrs)
            if all(len(a) == 1 for a in edges):
                out.append(f"    next: [{', '.join(ids[t] for t in outs)}]")
            else:
                out.append("    next:")
                out += [f"      - {{{', '.join(a)}}}" for a in edges]
        lines += out
    return "\n".join(lines) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def generate_portfolio(
    journeys: int, directory: str | Path, seed: int = 0, touchpoints: int = 40
) -> list[Path]:
    """Write ``journeys`` journeys (sizes around ``touchpoints``) and one organisation.yaml.

    Returns the written paths, organisation.yaml first.
    """
    directory = Path(directory)
    rng = random.Random(seed)
    org = make_organisation(rng, n_functions=len(FUNCTIONS))
    written = [directory / "organisation.yaml"]
    _write_atomic(written[0], "\n".join(
        ["# Generated by benchmarks/generate.py; do not edit."] + organisation_yaml(org)) + "\n")
    width = len(str(journeys))
    for k in range(journeys):
        size = rng.randint(max(3, touchpoints // 2), max(3, touchpoints * 3 // 2))
        jid = f"{THEMES[k % len(THEMES)]}-{k + 1:0{width}d}"
        text = generate_journey(size, seed=rng.randrange(2**32), org=org,
                                uses="organisation.yaml", journey_id=jid,
                                title=f"{THEMES[k % len(THEMES)].replace('-', ' ').capitalize()}"
                                      f" {k + 1}")
        path = directory / f"{jid}.journey.yaml"
        _write_atomic(path, text)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: one journey to a file (or stdout), or a portfolio to a folder."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--touchpoints", "-n", type=int, default=None,
                        help="touchpoints in the journey (portfolio: average per journey, "
                             "default 40)")
    parser.add_argument("--journeys", "-m", type=int, default=None,
                        help="write a portfolio of this many journeys to the -o folder")
    parser.add_argument("--seed", "-s", type=int, default=0)
    parser.add_argument("-o", "--output", default="-", help="file (or folder with --journeys)")
    args = parser.parse_args(argv)
    if args.journeys is not None:
        if args.output == "-":
            parser.error("--journeys needs -o FOLDER")
        if args.journeys < 1:
            parser.error("--journeys must be at least 1")
        generate_portfolio(args.journeys, args.output, args.seed, args.touchpoints or 40)
        return 0
    if args.touchpoints is None or args.touchpoints < 1:
        parser.error("--touchpoints N (N >= 1) is required")
    text = generate_journey(args.touchpoints, args.seed)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        _write_atomic(Path(args.output), text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
