// Test counts as data: each suite adds its passed/failed/pending to the JSON file named by
// $FANG_TEST_RESULT, which scripts/test-all.mjs reads instead of parsing reporter text.
'use strict';
const fs = require('node:fs');

/** Adds `counts` ({ passed, failed, pending }) to the result file, if one is asked for. */
function addResult(counts) {
  const file = process.env.FANG_TEST_RESULT;
  if (!file) return;
  let sum = { passed: 0, failed: 0, pending: 0, runs: 0 };
  try {
    sum = { ...sum, ...JSON.parse(fs.readFileSync(file, 'utf8')) };
  } catch {
    /* the first suite of the step */
  }
  fs.writeFileSync(file, JSON.stringify({ passed: sum.passed + counts.passed, failed: sum.failed + counts.failed, pending: sum.pending + counts.pending, runs: sum.runs + 1 }));
}

module.exports = { addResult };
