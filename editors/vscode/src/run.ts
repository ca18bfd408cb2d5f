// "Gene: Run File" and "Gene: Stop Run": starts a run in the language server, streams its
// output into the "Gene Run" output channel and shows a status-bar item while it runs.

import * as vscode from 'vscode';

import {
  RUN_FILE_COMMAND,
  STOP_RUN_COMMAND,
  isRunFileResult,
  type RunEndParams,
  type RunOutputParams,
} from './protocol';
import { exitLine, lostLine, runHeader } from './runText';

/** How the controller reaches the server: `workspace/executeCommand`. */
export interface RunTransport {
  executeCommand(command: string, args: unknown[]): Promise<unknown>;
}

interface ActiveRun {
  runId: string;
  fileName: string;
  startedAt: number;
  ended: Promise<void>;
  markEnded: () => void;
}

/** JSON-RPC's "method not found": a server from before Run File, or one that does not list the
 * command. */
const METHOD_NOT_FOUND = -32601;

function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === METHOD_NOT_FOUND) {
    return `${message} (this gene-lsp does not support Run File; update it)`;
  }
  return message;
}

/** How long a new run waits for the previous one to report that it stopped. */
const STOP_WAIT_MS = 3000;

export class RunController implements vscode.Disposable {
  private transport: RunTransport | undefined;
  private active: ActiveRun | undefined;
  /** Set while a `gene.runFile` request is in flight: notifications that arrive before its
   * answer (the server may stream before the response is read) wait here. */
  private early: Array<{ kind: 'output'; params: RunOutputParams } | { kind: 'end'; params: RunEndParams }> | undefined;
  private atLineStart = true;
  private readonly status: vscode.StatusBarItem;

  constructor(private readonly channel: vscode.OutputChannel) {
    this.status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 100);
    this.status.command = 'gene.stopCurrentRun';
    this.status.tooltip = 'A Gene program is running: click to stop it';
  }

  dispose(): void {
    this.status.dispose();
  }

  /** The server is (re)started or gone. Losing it ends the current run. */
  setTransport(transport: RunTransport | undefined): void {
    this.transport = transport;
    if (!transport && this.active) {
      this.finish(lostLine(Date.now() - this.active.startedAt));
    }
  }

  get running(): boolean {
    return this.active !== undefined;
  }

  /** The id of the run in progress. */
  get runId(): string | undefined {
    return this.active?.runId;
  }

  async run(uri: vscode.Uri): Promise<unknown> {
    const transport = this.transport;
    if (!transport) {
      void vscode.window.showErrorMessage('Gene: the language server is not running, so the file cannot be run.');
      return undefined;
    }
    // The server runs the text it was sent: make sure the document is open there.
    const document = await vscode.workspace.openTextDocument(uri);
    if (this.active) {
      await this.stopAndWait();
    }
    if (vscode.workspace.getConfiguration('gene').get<boolean>('run.clearPreviousOutput', true)) {
      this.channel.clear();
    }
    this.atLineStart = true;
    this.channel.show(true);
    this.append(runHeader(document.uri.scheme === 'file' ? document.uri.fsPath : document.uri.toString(), document.isDirty, new Date()) + '\n');

    this.early = [];
    let answer: unknown;
    try {
      answer = await transport.executeCommand(RUN_FILE_COMMAND, [{ uri: document.uri.toString() }]);
    } catch (error) {
      this.early = undefined;
      const message = describeFailure(error);
      this.append(`[Failed] the language server did not start the run: ${message}\n`);
      void vscode.window.showErrorMessage(`Gene: could not run ${document.fileName}: ${message}`);
      return undefined;
    }
    const early = this.early ?? [];
    this.early = undefined;
    if (!isRunFileResult(answer)) {
      this.append(`[Failed] the language server answered gene.runFile with ${JSON.stringify(answer)}, not a run id\n`);
      return answer;
    }
    let markEnded: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => {
      markEnded = resolve;
    });
    this.active = {
      runId: answer.runId,
      fileName: document.fileName.split(/[\\/]/).pop() ?? document.fileName,
      startedAt: Date.now(),
      ended,
      markEnded,
    };
    this.showRunning();
    for (const event of early) {
      if (event.kind === 'output') {
        this.onOutput(event.params);
      } else {
        this.onEnd(event.params);
      }
    }
    return answer;
  }

  /** Asks the server to stop the current run; the run ends when the server says so. */
  async stop(): Promise<void> {
    const run = this.active;
    if (!run) {
      void vscode.window.showInformationMessage('Gene: no program is running.');
      return;
    }
    if (!this.transport) {
      this.finish(lostLine(Date.now() - run.startedAt));
      return;
    }
    try {
      await this.transport.executeCommand(STOP_RUN_COMMAND, [{ runId: run.runId }]);
    } catch (error) {
      void vscode.window.showErrorMessage(`Gene: could not stop the run: ${describeFailure(error)}`);
    }
  }

  private async stopAndWait(): Promise<void> {
    const run = this.active;
    if (!run) {
      return;
    }
    await this.stop();
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_WAIT_MS));
    if ((await Promise.race([run.ended, timeout])) === 'timeout' && this.active === run) {
      this.finish(`[Stopped] the previous run did not report its end within ${STOP_WAIT_MS / 1000} s`);
    }
  }

  onOutput(params: RunOutputParams): void {
    if (this.early && !this.active) {
      this.early.push({ kind: 'output', params });
      return;
    }
    if (this.active && params.runId !== this.active.runId) {
      return; // a run this window already stopped and replaced
    }
    if (typeof params.text === 'string' && params.text.length > 0) {
      this.append(params.text);
    }
  }

  onEnd(params: RunEndParams): void {
    if (this.early && !this.active) {
      this.early.push({ kind: 'end', params });
      return;
    }
    if (!this.active || params.runId !== this.active.runId) {
      return;
    }
    this.finish(exitLine(params));
  }

  private finish(line: string): void {
    if (!this.atLineStart) {
      this.append('\n');
    }
    this.append(line + '\n');
    const run = this.active;
    this.active = undefined;
    this.status.hide();
    void vscode.commands.executeCommand('setContext', 'gene.running', false);
    run?.markEnded();
  }

  private showRunning(): void {
    if (!this.active) {
      return;
    }
    this.status.text = `$(loading~spin) Gene: ${this.active.fileName}`;
    this.status.show();
    void vscode.commands.executeCommand('setContext', 'gene.running', true);
  }

  private append(text: string): void {
    this.channel.append(text);
    this.atLineStart = text.endsWith('\n');
  }
}
