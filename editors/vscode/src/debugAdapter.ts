// Which executable serves the debugger: `gene dap`, from the same install as the language
// server the `gene.server.path` setting (or the bundle, or PATH) finds. gene-lsp has no `dap`
// subcommand, so a server named gene-lsp is paired with the `gene` beside it, else `gene` on
// PATH. Kept free of the `vscode` module so it is tested with plain Node.

import * as path from 'node:path';

export interface AdapterInput {
  /** The language server's path as `findServer` found it, if it did. */
  serverPath?: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  isExecutable: (file: string) => boolean;
}

export interface AdapterCommand {
  command: string;
  args: string[];
}

function geneName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'gene.exe' : 'gene';
}

export function findDebugAdapter(input: AdapterInput): AdapterCommand {
  const name = geneName(input.platform);
  if (input.serverPath) {
    if (path.basename(input.serverPath) === name) {
      return { command: input.serverPath, args: ['dap'] };
    }
    const beside = path.join(path.dirname(input.serverPath), name);
    if (input.isExecutable(beside)) {
      return { command: beside, args: ['dap'] };
    }
  }
  const separator = input.platform === 'win32' ? ';' : ':';
  for (const dir of (input.env.PATH ?? input.env.Path ?? '').split(separator)) {
    if (dir && input.isExecutable(path.join(dir, name))) {
      return { command: path.join(dir, name), args: ['dap'] };
    }
  }
  // Let the system report a missing `gene` when the session starts.
  return { command: name, args: ['dap'] };
}

/** The file a "Debug" code lens names: its argument is `{ uri: string }` (the server's
 * `gene.debugFile` lens); `undefined` for anything else. */
export function lensUri(argument: unknown): string | undefined {
  if (typeof argument !== 'object' || argument === null) {
    return undefined;
  }
  const uri = (argument as { uri?: unknown }).uri;
  return typeof uri === 'string' && uri.length > 0 ? uri : undefined;
}

/** The launch configuration F5 uses on a `.gene` file without a launch.json. */
export function debugFileConfiguration(file: string): {
  type: string;
  request: string;
  name: string;
  program: string;
  cwd: string;
} {
  return {
    type: 'gene',
    request: 'launch',
    name: 'Debug File',
    program: file,
    cwd: path.dirname(file),
  };
}
