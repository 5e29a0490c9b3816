// Checks the browser's progress rules (static/js/progress-rules.js) against the cases the
// server's rules are checked on (rule_cases.json). Run by tests/progress/test_rule_cases.py;
// by hand: node tests/progress/rule_cases.mjs. Exits non-zero when any case disagrees.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const rules = require("../../static/js/progress-rules.js");
const cases = JSON.parse(readFileSync(new URL("./rule_cases.json", import.meta.url), "utf8"));

// Expected achievements are either how many were earned or which (indexes into the catalogue).
function actualOf(key, figures) {
  switch (key) {
    case "longest_streak": return figures.longestStreak;
    case "current_streak": return figures.currentStreak;
    default: return figures[key];
  }
}

function agrees(expected, actual) {
  if (Array.isArray(actual) && typeof expected === "number") {
    return actual.length === expected;
  }
  return JSON.stringify(expected) === JSON.stringify(actual);
}

let failures = 0;
for (const rulesCase of cases) {
  let figures;
  try {
    figures = rules.figures(
      rulesCase.completions, rulesCase.catalogue, rulesCase.time_zone, rulesCase.today
    );
  } catch (error) {
    failures += 1;
    console.log(`FAIL ${rulesCase.name}: ${error.stack}`);
    continue;
  }
  const wrong = Object.entries(rulesCase.expected)
    .filter(([key, expected]) => !agrees(expected, actualOf(key, figures)))
    .map(([key, expected]) =>
      `${key}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actualOf(key, figures))}`);
  if (wrong.length) {
    failures += 1;
    console.log(`FAIL ${rulesCase.name}: ${wrong.join("; ")}`);
  }
}
console.log(`${cases.length - failures} of ${cases.length} rule cases agree`);
process.exit(failures ? 1 : 0);
