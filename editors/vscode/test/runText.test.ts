import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isRunFileResult } from '../src/protocol';
import { exitLine, formatDuration, lostLine, runHeader } from '../src/runText';

describe('run output text', () => {
  it('formats durations in ms below a second and in seconds above', () => {
    assert.equal(formatDuration(0), '0 ms');
    assert.equal(formatDuration(12.4), '12 ms');
    assert.equal(formatDuration(1234), '1.23 s');
    assert.equal(formatDuration(-1), '?');
    assert.equal(formatDuration(Number.NaN), '?');
  });

  it('names the file and unsaved changes in the header', () => {
    const at = new Date(2024, 0, 2, 13, 4, 5);
    assert.equal(runHeader('/w/a.gene', false, at), '[Running] /w/a.gene at 13:04:05');
    assert.equal(runHeader('/w/a.gene', true, at), '[Running] /w/a.gene (with unsaved changes) at 13:04:05');
  });

  it('gives one exit line per status', () => {
    assert.equal(exitLine({ status: 'ok', exitCode: 0, durationMs: 15 }), '[Done] exited with code 0 in 15 ms');
    assert.equal(exitLine({ status: 'error', exitCode: 1, durationMs: 2500 }), '[Failed] exited with code 1 in 2.50 s');
    assert.equal(exitLine({ status: 'stopped', exitCode: 130, durationMs: 300 }), '[Stopped] after 300 ms');
    assert.equal(lostLine(10), '[Stopped] the language server stopped after 10 ms');
  });

  it('accepts only a run id as the answer to gene.runFile', () => {
    assert.ok(isRunFileResult({ runId: '7' }));
    assert.ok(!isRunFileResult({ runId: 7 }));
    assert.ok(!isRunFileResult(null));
    assert.ok(!isRunFileResult('7'));
  });
});
