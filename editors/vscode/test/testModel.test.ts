import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { RunEndParams } from '../src/protocol';
import {
  TestRunRouter,
  assertionValues,
  goldenProgram,
  isTestFile,
  nest,
  type DiscoveredTest,
  type TestResultParams,
} from '../src/testModel';

const at = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };

function found(id: string, kind: DiscoveredTest['kind'] = 'test'): DiscoveredTest {
  return { id, name: id.split(' > ').pop() ?? id, range: at, kind };
}

function result(runId: string, id: string): TestResultParams {
  return { runId, id, status: 'passed', durationMs: 1, message: null, location: { uri: 'file:///a_test.gene', range: at } };
}

function end(runId: string): RunEndParams {
  return { runId, status: 'ok', exitCode: 0, durationMs: 2, tests: { passed: 1, failed: 0, skipped: 0 } };
}

describe('the test tree', () => {
  it('nests the tests of describe groups under them', () => {
    const tree = nest([
      found('adds'),
      found('math', 'describe'),
      found('math > subtracts'),
      found('math > inner', 'describe'),
      found('math > inner > deep'),
      found('math > after'),
      found('last'),
    ]);
    const shape = (nodes: ReturnType<typeof nest>): unknown[] =>
      nodes.map((n) => (n.children.length ? [n.test.id, shape(n.children)] : n.test.id));
    assert.deepEqual(shape(tree), [
      'adds',
      ['math', ['math > subtracts', ['math > inner', ['math > inner > deep']], 'math > after']],
      'last',
    ]);
  });

  it('a test whose name merely starts like a group is not inside it', () => {
    const tree = nest([found('math', 'describe'), found('math > a'), found('mathematics')]);
    assert.equal(tree.length, 2);
    assert.equal(tree[1].test.id, 'mathematics');
  });

  it('knows test files and golden programs', () => {
    assert.ok(isTestFile('/w/lib/text_stats_test.gene'));
    assert.ok(isTestFile('C:\\w\\a_test.gene'));
    assert.ok(!isTestFile('/w/a_test.gene.bak'));
    assert.ok(!isTestFile('/w/test.gene'));
    assert.equal(goldenProgram('/w/hello.out'), '/w/hello.gene');
    assert.equal(goldenProgram('/w/hello.txt'), undefined);
  });
});

describe('assertion messages', () => {
  it('give the actual and expected values, strings as their text', () => {
    const numbers = 'AssertionError: assert_eq failed: msg\n  actual:   [1 2]\n  expected: [1 3]\n  diff (- expected, + actual):\n      1\n    - 3\n    + 2';
    assert.deepEqual(assertionValues(numbers), { actual: '[1 2]', expected: '[1 3]' });
    const strings = 'AssertionError: assert_eq failed\n  actual:   "a\\nb"\n  expected: "a\\nx"';
    assert.deepEqual(assertionValues(strings), { actual: 'a\nb', expected: 'a\nx' });
  });

  it('give nothing when the message lacks either value', () => {
    assert.equal(assertionValues('AssertionError: expected the body to throw ValueError'), undefined);
    assert.equal(assertionValues('timed out after 100 ms (the test was cancelled)'), undefined);
    assert.equal(assertionValues('  actual:   1'), undefined);
  });
});

describe('the test run router', () => {
  function recorder(): { seen: string[]; router: TestRunRouter<string> } {
    const seen: string[] = [];
    const router = new TestRunRouter<string>({
      result: (run, p) => seen.push(`${run}:${p.id}`),
      end: (run, p) => seen.push(`${run}:end:${p.runId}`),
      other: (n) => seen.push(`other:${n.kind}:${n.params.runId}`),
    });
    return { seen, router };
  }

  it('hands notifications that came before the run id to the run once it is known', async () => {
    const { seen, router } = recorder();
    let answer!: (value: unknown) => void;
    const started = router.start('file-a', () => new Promise((resolve) => (answer = resolve)));
    router.route({ kind: 'result', params: result('run-1', 'adds') });
    router.route({ kind: 'output', params: { runId: 'run-1' } });
    router.route({ kind: 'end', params: end('run-1') });
    assert.deepEqual(seen, []);
    answer({ runId: 'run-1' });
    assert.equal(await started, 'run-1');
    assert.deepEqual(seen, ['file-a:adds', 'file-a:end:run-1']);
    // Ended: a later notification of it is not a test run's any more.
    router.route({ kind: 'end', params: end('run-1') });
    assert.deepEqual(seen.slice(2), ['other:end:run-1']);
  });

  it('gives a Run File going on meanwhile its notifications back, in order', async () => {
    const { seen, router } = recorder();
    let answer!: (value: unknown) => void;
    const started = router.start('file-a', () => new Promise((resolve) => (answer = resolve)));
    router.route({ kind: 'output', params: { runId: 'run-7' } });
    router.route({ kind: 'result', params: result('run-8', 'adds') });
    router.route({ kind: 'end', params: end('run-7') });
    answer({ runId: 'run-8' });
    await started;
    assert.deepEqual(seen, ['other:output:run-7', 'file-a:adds', 'other:end:run-7']);
    // With no test request in flight, other runs' notifications go straight through.
    router.route({ kind: 'output', params: { runId: 'run-9' } });
    assert.equal(seen[seen.length - 1], 'other:output:run-9');
  });

  it('routes each run to its own file while both go', async () => {
    const { seen, router } = recorder();
    await router.start('a', async () => ({ runId: 'run-1' }));
    await router.start('b', async () => ({ runId: 'run-2' }));
    router.route({ kind: 'result', params: result('run-2', 'x') });
    router.route({ kind: 'result', params: result('run-1', 'y') });
    router.route({ kind: 'end', params: end('run-1') });
    assert.deepEqual(seen, ['b:x', 'a:y', 'a:end:run-1']);
    assert.equal(await router.start('c', async () => null), undefined);
  });
});
