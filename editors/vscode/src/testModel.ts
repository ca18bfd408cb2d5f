// What the Test Explorer knows without VS Code: the server's discovered tests nested into a
// tree, which files hold tests, the expected and actual values of a failed assertion, and
// which run a `gene/testResult` or `gene/runEnd` belongs to.

import type { RunEndParams } from './protocol';

export const DISCOVER_TESTS_REQUEST = 'gene/discoverTests';
export const RUN_TESTS_COMMAND = 'gene.runTests';
export const TEST_RESULT_NOTIFICATION = 'gene/testResult';
/** The client commands of the server's test code lenses. */
export const RUN_TESTS_LENS_COMMAND = 'gene.test.run';
export const DEBUG_TEST_LENS_COMMAND = 'gene.test.debug';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** An answer of `gene/discoverTests`. */
export interface DiscoveredTest {
  id: string;
  name: string;
  range: Range;
  kind: 'test' | 'describe' | 'golden';
}

export interface TestResultParams {
  runId: string;
  id: string;
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  message: string | null;
  location: { uri: string; range: Range };
}

export interface TestNode {
  test: DiscoveredTest;
  children: TestNode[];
}

/** A test file: `NAME_test.gene`. */
export function isTestFile(path: string): boolean {
  return /(^|[\\/])[^\\/]*_test\.gene$/.test(path);
}

/** The program of a golden pair, given its `.out` file: `NAME.out` -> `NAME.gene`. */
export function goldenProgram(outPath: string): string | undefined {
  return outPath.endsWith('.out') ? outPath.slice(0, -'.out'.length) + '.gene' : undefined;
}

/** The discovered tests as a tree: a test inside a `describe` (its id starts with the group's
 * id and ` > `) is that group's child; the server lists a group before its tests. */
export function nest(tests: DiscoveredTest[]): TestNode[] {
  const roots: TestNode[] = [];
  const groups: TestNode[] = [];
  for (const test of tests) {
    const node: TestNode = { test, children: [] };
    while (groups.length > 0 && !test.id.startsWith(groups[groups.length - 1].test.id + ' > ')) {
      groups.pop();
    }
    const parent = groups[groups.length - 1];
    (parent ? parent.children : roots).push(node);
    if (test.kind === 'describe') {
      groups.push(node);
    }
  }
  return roots;
}

/** A value as `assert_eq` prints it: a string literal becomes its text, anything else stays as
 * printed. */
function shown(printed: string): string {
  if (printed.startsWith('"') && printed.endsWith('"') && printed.length >= 2) {
    try {
      const text: unknown = JSON.parse(printed);
      if (typeof text === 'string') {
        return text;
      }
    } catch {
      // Not JSON's escapes: keep the printed form.
    }
  }
  return printed;
}

/** The actual and expected values of a failed `assert_eq` (`  actual:   ...` and
 * `  expected: ...` lines of its message), for a diff; undefined when the message lacks one. */
export function assertionValues(message: string): { actual: string; expected: string } | undefined {
  let actual: string | undefined;
  let expected: string | undefined;
  for (const line of message.split('\n')) {
    const a = /^\s*actual:\s{1,3}(.*)$/.exec(line);
    const e = /^\s*expected:\s(.*)$/.exec(line);
    if (a && actual === undefined) {
      actual = a[1];
    } else if (e && expected === undefined) {
      expected = e[1];
    }
  }
  if (actual === undefined || expected === undefined) {
    return undefined;
  }
  return { actual: shown(actual), expected: shown(expected) };
}

/** A run's notification: a test result, or a run's output or end. */
export type RunNotification =
  | { kind: 'result'; params: TestResultParams }
  | { kind: 'output'; params: { runId: string } }
  | { kind: 'end'; params: RunEndParams };

/** Which run the notifications belong to. A test run's results may arrive before the answer
 * that names its run id: while a `gene.runTests` request is in flight, notifications of runs
 * nobody claimed wait here; once the id is known the test run's go to it and the others (a
 * Run File going on at the same time) to `other`, in their order. */
export class TestRunRouter<R> {
  private readonly owned = new Map<string, R>();
  private inFlight = 0;
  private early: RunNotification[] = [];

  constructor(
    private readonly handlers: {
      result(run: R, params: TestResultParams): void;
      end(run: R, params: RunEndParams): void;
      /** Notifications of runs that are not test runs. */
      other(notification: RunNotification): void;
    },
  ) {}

  /** Sends the request; `run` receives the notifications of the run it starts. */
  async start(run: R, request: () => Promise<unknown>): Promise<string | undefined> {
    this.inFlight += 1;
    let runId: string | undefined;
    try {
      const answer = await request();
      const id = (answer as { runId?: unknown } | null)?.runId;
      runId = typeof id === 'string' ? id : undefined;
    } finally {
      this.inFlight -= 1;
    }
    if (runId !== undefined) {
      this.owned.set(runId, run);
    }
    const early = this.early;
    this.early = [];
    for (const notification of early) {
      this.route(notification);
    }
    return runId;
  }

  /** Takes a notification: a test run's, or one held while a request is in flight, or else
   * handed to `other`. */
  route(notification: RunNotification): void {
    const run = this.owned.get(notification.params.runId);
    if (run === undefined) {
      if (this.inFlight > 0) {
        this.early.push(notification);
      } else {
        this.handlers.other(notification);
      }
      return;
    }
    if (notification.kind === 'result') {
      this.handlers.result(run, notification.params);
    } else if (notification.kind === 'end') {
      this.owned.delete(notification.params.runId);
      this.handlers.end(run, notification.params);
    }
    // A test run's output: what the tests print; the results carry the failures' messages.
  }
}
