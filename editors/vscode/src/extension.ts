// The Gene extension: starts gene-lsp for `gene` documents and adds Run File / Stop Run, the
// "Gene Tasks" view of a running program and the tests in the Test Explorer (`testing.ts`).

import * as vscode from 'vscode';
import {
  LanguageClient,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

import {
  RUN_END_NOTIFICATION,
  RUN_FILE_COMMAND,
  RUN_OUTPUT_NOTIFICATION,
  STOP_RUN_COMMAND,
  type RunEndParams,
  type RunOutputParams,
} from './protocol';
import { debugFile, debugLens, registerDebugger } from './debug';
import { RunController } from './run';
import { TasksView } from './tasks';
import { TestExplorer } from './testing';
import { TEST_RESULT_NOTIFICATION, type TestResultParams } from './testModel';
import { findServer } from './serverPath';

const OPEN_SETTING = 'Open Setting';

let client: LanguageClient | undefined;
let serverChannel: vscode.OutputChannel;
let runs: RunController;
let tests: TestExplorer;
let context: vscode.ExtensionContext;
/** The language server binary last found: the debugger runs `gene dap` from the same install. */
let serverPath: string | undefined;

export async function activate(ctx: vscode.ExtensionContext): Promise<void> {
  context = ctx;
  serverChannel = vscode.window.createOutputChannel('Gene Language Server');
  const runChannel = vscode.window.createOutputChannel('Gene Run');
  runs = new RunController(runChannel);
  ctx.subscriptions.push(serverChannel, runChannel, runs);
  const tasksView = new TasksView({
    runId: () => runs.runId,
    request: (method, params) => (client ? client.sendRequest(method, params) : Promise.reject(new Error('no server'))),
  });
  ctx.subscriptions.push(tasksView);
  tests = new TestExplorer(runs);
  ctx.subscriptions.push(tests);

  ctx.subscriptions.push(
    vscode.commands.registerCommand('gene.restartServer', restartServer),
    vscode.commands.registerCommand('gene.runCurrentFile', runCurrentFile),
    vscode.commands.registerCommand('gene.stopCurrentRun', () => runs.stop()),
    vscode.commands.registerCommand('gene.debugCurrentFile', debugFile),
    vscode.commands.registerCommand('gene.debugFile', debugLens),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('gene.server.path')) {
        void restartServer();
      }
    }),
  );
  registerDebugger(ctx, () => serverPath);
  void vscode.commands.executeCommand('setContext', 'gene.running', false);
  await startServer();
}

export async function deactivate(): Promise<void> {
  await stopServer();
}

/** The editor title button passes the file's URI; the palette passes nothing. */
async function runCurrentFile(uri?: vscode.Uri): Promise<void> {
  const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
  if (!target) {
    void vscode.window.showInformationMessage('Gene: open a .gene file to run it.');
    return;
  }
  const document = await vscode.workspace.openTextDocument(target);
  if (document.languageId !== 'gene') {
    void vscode.window.showInformationMessage(`Gene: ${document.fileName} is not a Gene file.`);
    return;
  }
  await runs.run(target);
}

function firstWorkspaceFolder(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
}

async function startServer(): Promise<void> {
  const lookup = findServer({
    setting: vscode.workspace.getConfiguration('gene').get<string>('server.path', ''),
    extensionPath: context.extensionPath,
    workspaceFolder: firstWorkspaceFolder(),
    env: process.env,
    platform: process.platform,
  });
  if (!lookup.found) {
    serverChannel.appendLine(lookup.message);
    const choice = await vscode.window.showErrorMessage(lookup.message, OPEN_SETTING);
    if (choice === OPEN_SETTING) {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'gene.server.path');
    }
    return;
  }
  serverChannel.appendLine(`Starting ${lookup.path} (from ${lookup.source === 'setting' ? 'gene.server.path' : lookup.source === 'bundled' ? 'the extension' : 'PATH'})`);

  serverPath = lookup.path;
  const executable = { command: lookup.path, transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run: executable, debug: executable };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'gene' },
      { scheme: 'untitled', language: 'gene' },
    ],
    outputChannel: serverChannel,
    // This client shows gene/runOutput and gene/runEnd itself: the server need not also send
    // the output as window/logMessage. The run settings are sent again when they change
    // (workspace/didChangeConfiguration with the `gene` section).
    initializationOptions: {
      runNotifications: true,
      run: { maxMemoryMb: vscode.workspace.getConfiguration('gene').get<number>('run.maxMemoryMb', 4096) },
    },
    synchronize: { configurationSection: 'gene' },
    middleware: {
      // The server's own "Run" code lenses name these commands: route them through the run
      // controller so they get the same output channel, header and status-bar item.
      executeCommand: async (command, args, next) => {
        if (command === RUN_FILE_COMMAND) {
          const uri = typeof args[0]?.uri === 'string' ? vscode.Uri.parse(args[0].uri) : vscode.window.activeTextEditor?.document.uri;
          return uri ? runs.run(uri) : undefined;
        }
        if (command === STOP_RUN_COMMAND) {
          return runs.stop();
        }
        return next(command, args);
      },
    },
  };

  const newClient = new LanguageClient('gene', 'Gene Language Server', serverOptions, clientOptions);
  // Test runs (gene.runTests) print and end like runs: the Test Explorer takes its own and
  // passes the others on to the run controller.
  newClient.onNotification(RUN_OUTPUT_NOTIFICATION, (params: RunOutputParams) => tests.onOutput(params));
  newClient.onNotification(RUN_END_NOTIFICATION, (params: RunEndParams) => tests.onRunEnd(params));
  newClient.onNotification(TEST_RESULT_NOTIFICATION, (params: TestResultParams) => tests.onTestResult(params));
  const transport = {
    executeCommand: (command: string, args: unknown[]) =>
      newClient.sendRequest('workspace/executeCommand', { command, arguments: args }),
  };
  const testTransport = {
    ...transport,
    request: (method: string, params: unknown) => newClient.sendRequest(method, params),
  };
  // The client restarts a crashed server by itself: follow its state, not only start().
  newClient.onDidChangeState((event) => {
    if (client !== newClient) {
      return;
    }
    if (event.newState === State.Running) {
      runs.setTransport(transport);
      tests.setTransport(testTransport);
    } else if (event.newState === State.Stopped) {
      runs.setTransport(undefined);
      tests.setTransport(undefined);
    }
  });
  client = newClient;
  try {
    await newClient.start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    serverChannel.appendLine(`The language server failed to start: ${message}`);
    const choice = await vscode.window.showErrorMessage(`Gene: the language server ${lookup.path} failed to start: ${message}`, OPEN_SETTING);
    if (choice === OPEN_SETTING) {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'gene.server.path');
    }
    return;
  }
  runs.setTransport(transport);
  tests.setTransport(testTransport);
}

async function stopServer(): Promise<void> {
  const old = client;
  client = undefined;
  runs?.setTransport(undefined);
  tests?.setTransport(undefined);
  if (old) {
    try {
      await old.stop();
    } catch (error) {
      serverChannel.appendLine(`Stopping the language server: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

async function restartServer(): Promise<void> {
  await stopServer();
  await startServer();
  if (client) {
    void vscode.window.setStatusBarMessage('Gene: language server restarted', 3000);
  }
}
