// Mocha's spec output for people, and the counts as data for scripts/test-all.mjs (test-result.cjs).
'use strict';
const { Spec } = require('mocha').reporters;
const { addResult } = require('./test-result.cjs');

class ResultReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once('end', () => addResult({ passed: this.stats.passes, failed: this.stats.failures, pending: this.stats.pending }));
  }
}

module.exports = ResultReporter;
