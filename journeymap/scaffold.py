"""Starter files for ``journeymap init``: a commented journey that validates as it is."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DEFAULT_SCHEMA_REF", "starter_journey"]

#: Where the starter's modeline points by default: a copy of the schema beside the journey.
DEFAULT_SCHEMA_REF = "journey.schema.json"

_STARTER = """\
# yaml-language-server: $schema={schema_ref}
#
# A customer journey for journeymap (format version 1); the full reference is docs/format.md.
# Check it with `journeymap validate {name}`. Ids are lower-case slugs: a-z, 0-9, '-', '_'.
journeymap: 1
title: {title}
persona: New customer buying online
owner: cx-office                     # optional end-to-end owner (a function id)
# uses: organisation.yaml            # optional shared functions/systems/integrations/channels

functions:                           # the silos; key = id
  marketing: {{name: Marketing, lead: CMO}}
  sales: {{name: Sales, lead: VP Sales}}
  service: {{name: Customer Service, lead: Head of Service}}
  cx-office: {{name: CX office, lead: Chief Customer Officer}}

systems:                             # what supports touchpoints, and which function owns it
  cms: {{name: Web CMS, owner: marketing}}
  crm: {{name: CRM, owner: sales}}
  helpdesk: {{name: Help desk, owner: service, shadow: true}}   # bought outside IT governance

integrations:                        # data flows, both ways unless one-way
  - {{between: [cms, crm], one-way: true}}

stages: [discover, buy, use]         # ordered; or [{{id: discover, name: Discovery}}, ...]

touchpoints:                         # key = id; file order is the display order
  website:
    name: Product website
    stage: discover
    function: marketing
    channel: web                     # free id: web, email, phone, store, app, ...
    systems: [cms]
    asks: [email]                    # information the customer gives here
    emotion: 4                       # 1 (frustrated) .. 5 (delighted)
    entry: true                      # customers start here
    volume: 1000                     # customers per period (entries only)
    pains: [Pricing is hard to find]
    kpis: {{conversion: 2.5%}}
    next:
      - to: sales-call
        share: 0.3                   # 30% go on; the rest drop off
        carries: [email]             # context handed over with the customer
        owner: sales                 # who is accountable for this handoff
        wait: 1d                     # 30m, 4h, 1d, 1w
  sales-call:
    name: Sales call
    stage: buy
    function: sales
    channel: phone
    systems: [crm]
    asks: [email, address]
    emotion: 3
    next: [support]                  # plain ids split customers evenly
  support:
    name: Set-up help
    stage: use
    function: service
    channel: email
    systems: [helpdesk]
    asks: [email]
    emotion: 2
    ideas: [Let the help desk read the CRM]
    outcome: active                  # terminal touchpoints may give an outcome
"""


def starter_journey(path: str | os.PathLike[str], schema_ref: str = DEFAULT_SCHEMA_REF) -> str:
    """The text of a commented starter journey to be saved at ``path``."""
    name = Path(path).name
    title = name.split(".")[0].replace("-", " ").replace("_", " ").strip().capitalize()
    return _STARTER.format(schema_ref=schema_ref, name=name, title=title or "My journey")
