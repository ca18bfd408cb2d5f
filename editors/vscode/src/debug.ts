// The `gene` debugger: VS Code starts `gene dap` (found by `debugAdapter.ts`) and talks the
// Debug Adapter Protocol to it. F5 on a `.gene` file without a launch.json debugs that file.

import * as fs from 'node:fs';
import * as vscode from 'vscode';

import { debugFileConfiguration, findDebugAdapter, lensUri } from './debugAdapter';

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Registers the adapter and the configuration provider; `serverPath` gives the current
 * language server's path (the debugger comes from the same install). */
export function registerDebugger(
  ctx: vscode.ExtensionContext,
  serverPath: () => string | undefined,
): void {
  ctx.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory('gene', {
      createDebugAdapterDescriptor() {
        const adapter = findDebugAdapter({
          serverPath: serverPath(),
          env: process.env,
          platform: process.platform,
          isExecutable,
        });
        return new vscode.DebugAdapterExecutable(adapter.command, adapter.args);
      },
    }),
    vscode.debug.registerDebugConfigurationProvider('gene', {
      resolveDebugConfiguration(_folder, config) {
        if (!config.type && !config.request && !config.name) {
          const editor = vscode.window.activeTextEditor;
          if (editor?.document.languageId === 'gene') {
            return debugFileConfiguration(editor.document.uri.fsPath);
          }
        }
        if (!config.program) {
          void vscode.window.showInformationMessage('Gene: open a .gene file to debug it.');
          return undefined;
        }
        return config;
      },
    }),
  );
}

/** The "Debug" code lens (`gene.debugFile` with `{ uri }`): debugs that file. */
export async function debugLens(argument: unknown): Promise<void> {
  const uri = lensUri(argument);
  await debugFile(uri ? vscode.Uri.parse(uri) : undefined);
}

/** "Debug File": the editor title button passes the file's URI; the palette passes nothing. */
export async function debugFile(uri?: vscode.Uri): Promise<void> {
  const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
  if (!target) {
    void vscode.window.showInformationMessage('Gene: open a .gene file to debug it.');
    return;
  }
  const folder = vscode.workspace.getWorkspaceFolder(target);
  await vscode.debug.startDebugging(folder, debugFileConfiguration(target.fsPath));
}
