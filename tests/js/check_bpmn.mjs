// Reads BPMN files with bpmn-moddle (the library under bpmn.io) and lints them with bpmnlint's
// recommended rules. Prints one JSON object: {"<file>": {"warnings": [...], "lint": {rule: [...]}}}.
// Usage: node tests/js/check_bpmn.mjs FILE.bpmn...   (tests/interchange/test_bpmn.py runs it)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { BpmnModdle } from "bpmn-moddle";

const require = createRequire(import.meta.url);
const { Linter } = require("bpmnlint");
const NodeResolver = require("bpmnlint/lib/resolver/node-resolver");

const result = {};
for (const file of process.argv.slice(2)) {
  // a linter per file: some rules (no-duplicate-sequence-flows) keep state between lint() calls
  const linter = new Linter({
    config: { extends: "bpmnlint:recommended" },
    resolver: new NodeResolver({ require }),
  });
  const moddle = new BpmnModdle();
  const { rootElement, warnings } = await moddle.fromXML(readFileSync(file, "utf8"));
  const reports = await linter.lint(rootElement);
  const lint = {};
  for (const [rule, items] of Object.entries(reports)) {
    if (items.length) {
      lint[rule] = items.map((r) => ({ id: r.id, message: r.message, category: r.category }));
    }
  }
  result[file] = { warnings: warnings.map((w) => String(w.message)), lint };
}
process.stdout.write(JSON.stringify(result, null, 1) + "\n");
