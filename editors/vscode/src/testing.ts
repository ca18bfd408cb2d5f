// The Testing API: a TestController whose tree comes from the server's `gene/discoverTests`
// (the workspace's `*_test.gene` files and golden pairs, found again as the files are edited),
// a Run profile (`gene.runTests` in the language server: results shown as they stream,
// failures inline with the expected/actual diff when the assertion gives both) and a Debug
// profile (a `gene` debug session whose launch names the test). The server's test code lenses
// ("▶ Run test", "Debug test", "Run file tests") come here through `gene.test.run` and
// `gene.test.debug`.

import * as path from 'node:path';
import * as vscode from 'vscode';

import { STOP_RUN_COMMAND, type RunEndParams, type RunOutputParams } from './protocol';
import {
  DEBUG_TEST_LENS_COMMAND,
  DISCOVER_TESTS_REQUEST,
  RUN_TESTS_COMMAND,
  RUN_TESTS_LENS_COMMAND,
  TestRunRouter,
  assertionValues,
  goldenProgram,
  isTestFile,
  nest,
  type DiscoveredTest,
  type Range,
  type TestNode,
  type TestResultParams,
} from './testModel';

/** How the tests reach the language server. */
export interface TestTransport {
  request(method: string, params: unknown): Promise<unknown>;
  executeCommand(command: string, args: unknown[]): Promise<unknown>;
}

/** Folders never searched for tests (as `gene test` skips them). */
const EXCLUDE = '{**/node_modules/**,**/target/**,**/.*/**}';

/** How long edits settle before a file's tests are discovered again. */
const REDISCOVER_MS = 400;

interface FileRun {
  run: vscode.TestRun;
  file: vscode.TestItem;
  ended: () => void;
}

function toRange(range: Range): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

export class TestExplorer implements vscode.Disposable {
  private readonly controller: vscode.TestController;
  private transport: TestTransport | undefined;
  private readonly router: TestRunRouter<FileRun>;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Test runs waiting for their end, ended at once if the server goes. */
  private readonly pending = new Set<FileRun>();

  /** `runs` takes the notifications of runs that are not test runs (Run File's). */
  constructor(runs: { onOutput(params: RunOutputParams): void; onEnd(params: RunEndParams): void }) {
    this.controller = vscode.tests.createTestController('gene', 'Gene');
    this.router = new TestRunRouter<FileRun>({
      result: (fileRun, params) => this.onResult(fileRun, params),
      end: (fileRun, params) => this.onEnd(fileRun, params),
      other: (notification) => {
        if (notification.kind === 'output') {
          runs.onOutput(notification.params as RunOutputParams);
        } else if (notification.kind === 'end') {
          runs.onEnd(notification.params);
        }
      },
    });
    this.controller.resolveHandler = async (item) => {
      if (item) {
        await this.discover(item);
      } else {
        await this.findFiles();
      }
    };
    this.controller.refreshHandler = async () => {
      await this.findFiles();
    };
    this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request, token) => this.run(request, token), true);
    this.controller.createRunProfile('Debug', vscode.TestRunProfileKind.Debug, (request) => this.debug(request), true);
    this.disposables.push(
      this.controller,
      vscode.workspace.onDidChangeTextDocument((event) => this.edited(event.document)),
      vscode.workspace.onDidOpenTextDocument((document) => this.edited(document)),
      vscode.workspace.onDidSaveTextDocument((document) => this.edited(document)),
      vscode.commands.registerCommand(RUN_TESTS_LENS_COMMAND, (args?: { uri?: string; ids?: string[] }) => this.runFromLens(args)),
      vscode.commands.registerCommand(DEBUG_TEST_LENS_COMMAND, (args?: { uri?: string; ids?: string[] }) => this.debugFromLens(args)),
    );
  }

  dispose(): void {
    for (const timer of this.timers.values()) {
      clearTimeout(timer);
    }
    for (const d of this.disposables) {
      d.dispose();
    }
  }

  /** The server is (re)started or gone. */
  setTransport(transport: TestTransport | undefined): void {
    this.transport = transport;
    if (transport) {
      void this.findFiles();
    } else {
      for (const fileRun of this.pending) {
        fileRun.run.errored(fileRun.file, new vscode.TestMessage('The Gene language server stopped during the test run.'));
        fileRun.ended();
      }
    }
  }

  /** Every `gene/runOutput`, `gene/runEnd` and `gene/testResult` comes here: the test runs'
   * are taken, the others passed on to Run File. */
  onOutput(params: RunOutputParams): void {
    this.router.route({ kind: 'output', params });
  }

  onRunEnd(params: RunEndParams): void {
    this.router.route({ kind: 'end', params });
  }

  onTestResult(params: TestResultParams): void {
    this.router.route({ kind: 'result', params });
  }

  private fileItem(uri: vscode.Uri): vscode.TestItem {
    const id = uri.toString();
    let item = this.controller.items.get(id);
    if (!item) {
      item = this.controller.createTestItem(id, vscode.workspace.asRelativePath(uri), uri);
      item.canResolveChildren = true;
      this.controller.items.add(item);
    }
    return item;
  }

  private async findFiles(): Promise<void> {
    const tests = await vscode.workspace.findFiles('**/*_test.gene', EXCLUDE);
    const outs = await vscode.workspace.findFiles('**/*.out', EXCLUDE);
    const golden = outs.flatMap((out) => {
      const program = goldenProgram(out.fsPath);
      return program ? [vscode.Uri.file(program)] : [];
    });
    for (const uri of [...tests, ...golden]) {
      const item = this.fileItem(uri);
      if (item.children.size === 0) {
        await this.discover(item);
      }
    }
  }

  private edited(document: vscode.TextDocument): void {
    if (document.languageId !== 'gene' || document.uri.scheme !== 'file') {
      return;
    }
    const key = document.uri.toString();
    if (!isTestFile(document.uri.fsPath) && !this.controller.items.get(key)) {
      return;
    }
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.discover(this.fileItem(document.uri));
      }, REDISCOVER_MS),
    );
  }

  /** Asks the server for the file's tests and rebuilds its children. */
  private async discover(file: vscode.TestItem): Promise<void> {
    if (!this.transport || !file.uri) {
      return;
    }
    let found: DiscoveredTest[];
    try {
      found = ((await this.transport.request(DISCOVER_TESTS_REQUEST, { uri: file.uri.toString() })) ?? []) as DiscoveredTest[];
    } catch (error) {
      file.error = error instanceof Error ? error.message : String(error);
      return;
    }
    file.error = undefined;
    const golden = found.find((t) => t.kind === 'golden');
    if (golden) {
      file.range = toRange(golden.range);
    }
    const build = (nodes: TestNode[]): vscode.TestItem[] =>
      nodes.map((node) => {
        const item = this.controller.createTestItem(`${file.id}#${node.test.id}`, node.test.name, file.uri);
        item.range = toRange(node.test.range);
        item.children.replace(build(node.children));
        return item;
      });
    file.children.replace(build(nest(found.filter((t) => t.kind !== 'golden'))));
  }

  /** The test's full name (the server's id) from its item id, `file#full name`. */
  private testId(item: vscode.TestItem): string | undefined {
    const at = item.id.indexOf('#');
    return at < 0 ? undefined : item.id.slice(at + 1);
  }

  private fileOf(item: vscode.TestItem): vscode.TestItem {
    let file = item;
    while (file.parent) {
      file = file.parent;
    }
    return file;
  }

  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const run = this.controller.createTestRun(request);
    // Files and, for each, the ids asked for (none: the whole file).
    const byFile = new Map<vscode.TestItem, string[] | undefined>();
    const asked: vscode.TestItem[] = [];
    if (request.include) {
      asked.push(...request.include);
    } else {
      this.controller.items.forEach((item) => asked.push(item));
    }
    for (const item of asked) {
      if (request.exclude?.includes(item)) {
        continue;
      }
      const file = this.fileOf(item);
      const id = this.testId(item);
      const ids = byFile.has(file) ? byFile.get(file) : [];
      byFile.set(file, id === undefined || ids === undefined ? undefined : [...ids, id]);
    }
    for (const [file, ids] of byFile) {
      if (token.isCancellationRequested) {
        break;
      }
      await this.runFile(run, file, ids, token);
    }
    run.end();
  }

  private enqueue(run: vscode.TestRun, item: vscode.TestItem): void {
    run.enqueued(item);
    item.children.forEach((child) => this.enqueue(run, child));
  }

  private async runFile(
    run: vscode.TestRun,
    file: vscode.TestItem,
    ids: string[] | undefined,
    token: vscode.CancellationToken,
  ): Promise<void> {
    if (!this.transport || !file.uri) {
      run.errored(file, new vscode.TestMessage('The Gene language server is not running.'));
      return;
    }
    if (file.children.size === 0) {
      await this.discover(file);
    }
    // A golden program (no `test` forms) is one test, the file itself, run as a whole.
    const golden = file.children.size === 0 && file.range !== undefined;
    if (golden) {
      ids = undefined;
    }
    this.enqueue(run, file);
    const transport = this.transport;
    let ended!: () => void;
    const done = new Promise<void>((resolve) => {
      ended = resolve;
    });
    const fileRun: FileRun = {
      run,
      file,
      ended: () => {
        this.pending.delete(fileRun);
        ended();
      },
    };
    this.pending.add(fileRun);
    try {
      const args = ids === undefined ? { uri: file.uri.toString() } : { uri: file.uri.toString(), ids };
      const runId = await this.router.start(fileRun, () => transport.executeCommand(RUN_TESTS_COMMAND, [args]));
      if (runId === undefined) {
        run.errored(file, new vscode.TestMessage('The language server did not start the test run.'));
        fileRun.ended();
      } else {
        // "Stop" in the Testing view stops the run; it ends with gene/runEnd as usual.
        const stop = token.onCancellationRequested(() => {
          void transport.executeCommand(STOP_RUN_COMMAND, [{ runId }]);
        });
        void done.finally(() => stop.dispose());
      }
    } catch (error) {
      run.errored(file, new vscode.TestMessage(error instanceof Error ? error.message : String(error)));
      fileRun.ended();
    }
    await done;
  }

  private item(file: vscode.TestItem, id: string): vscode.TestItem | undefined {
    const key = `${file.id}#${id}`;
    let found: vscode.TestItem | undefined;
    const search = (items: vscode.TestItemCollection): void => {
      items.forEach((item) => {
        if (found) {
          return;
        }
        if (item.id === key) {
          found = item;
        } else {
          search(item.children);
        }
      });
    };
    search(file.children);
    return found;
  }

  private onResult(fileRun: FileRun, params: TestResultParams): void {
    // A golden program's one result is the file's own.
    const golden = fileRun.file.children.size === 0;
    const item = golden ? fileRun.file : this.item(fileRun.file, params.id);
    if (!item) {
      return;
    }
    const { run } = fileRun;
    run.started(item);
    if (params.status === 'passed') {
      run.passed(item, params.durationMs);
    } else if (params.status === 'skipped') {
      run.skipped(item);
    } else {
      const text = params.message ?? 'failed';
      const values = assertionValues(text);
      const message = values
        ? vscode.TestMessage.diff(text, values.expected, values.actual)
        : new vscode.TestMessage(text);
      message.location = new vscode.Location(vscode.Uri.parse(params.location.uri), toRange(params.location.range));
      run.failed(item, message, params.durationMs);
    }
  }

  private onEnd(fileRun: FileRun, params: RunEndParams): void {
    if (params.status === 'error' && !params.tests?.failed) {
      // The file itself failed (its top level threw, or the child died): no test ran.
      fileRun.run.errored(fileRun.file, new vscode.TestMessage(`The test run failed (exit code ${params.exitCode}); the Gene Run output and the file's diagnostics say why.`));
    }
    fileRun.ended();
  }

  private async debug(request: vscode.TestRunRequest): Promise<void> {
    for (const item of request.include ?? []) {
      const file = this.fileOf(item);
      const id = this.testId(item);
      if (file.uri && id !== undefined) {
        await this.startDebugging(file.uri, id);
      }
    }
  }

  private async startDebugging(uri: vscode.Uri, id: string): Promise<void> {
    await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(uri), {
      type: 'gene',
      request: 'launch',
      name: `Debug test ${id}`,
      program: uri.fsPath,
      cwd: path.dirname(uri.fsPath),
      test: id,
    });
  }

  private async runFromLens(args?: { uri?: string; ids?: string[] }): Promise<void> {
    if (!args?.uri) {
      return;
    }
    const file = this.fileItem(vscode.Uri.parse(args.uri));
    await this.discover(file);
    const include = args.ids?.length ? args.ids.flatMap((id) => this.item(file, id) ?? []) : [file];
    const request = new vscode.TestRunRequest(include.length > 0 ? include : [file]);
    const cancel = new vscode.CancellationTokenSource();
    try {
      await this.run(request, cancel.token);
    } finally {
      cancel.dispose();
    }
  }

  private async debugFromLens(args?: { uri?: string; ids?: string[] }): Promise<void> {
    const id = args?.ids?.[0];
    if (args?.uri && id !== undefined) {
      await this.startDebugging(vscode.Uri.parse(args.uri), id);
    }
  }
}
