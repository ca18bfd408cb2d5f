// Where the language server binary is: the `gene.server.path` setting, else the binary bundled
// in the extension, else `gene-lsp` on PATH. Kept free of the `vscode` module so it is tested
// with plain Node.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type ServerSource = 'setting' | 'bundled' | 'path';

export type ServerLookup =
  | { found: true; path: string; source: ServerSource }
  | { found: false; message: string; settingIsWrong: boolean };

export interface LookupInput {
  /** The `gene.server.path` setting as the user wrote it ('' when unset). */
  setting: string;
  /** The extension's install directory (holds `server/` when a binary is bundled). */
  extensionPath: string;
  /** The first workspace folder, against which a relative setting is resolved. */
  workspaceFolder?: string;
  /** The PATH (and on Windows PATHEXT) to search. */
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** Whether a file exists and can be run; replaced in tests. */
  isExecutable?: (file: string) => boolean;
}

export function executableName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'gene-lsp.exe' : 'gene-lsp';
}

function defaultIsExecutable(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) {
      return false;
    }
    if (process.platform === 'win32') {
      return true;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `~` and `~/x` are the home directory; a relative path is taken from the workspace folder. */
export function expandSetting(setting: string, workspaceFolder?: string): string {
  let p = setting.trim();
  if (p === '~') {
    p = os.homedir();
  } else if (p.startsWith('~/') || p.startsWith('~\\')) {
    p = path.join(os.homedir(), p.slice(2));
  }
  if (!path.isAbsolute(p) && workspaceFolder) {
    p = path.join(workspaceFolder, p);
  }
  return p;
}

function searchPath(input: LookupInput, isExecutable: (file: string) => boolean): string | undefined {
  const pathVar = input.env.PATH ?? input.env.Path ?? '';
  const separator = input.platform === 'win32' ? ';' : ':';
  const names =
    input.platform === 'win32'
      ? (input.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').map((ext) => `gene-lsp${ext.toLowerCase()}`)
      : ['gene-lsp'];
  for (const dir of pathVar.split(separator)) {
    if (!dir) {
      continue;
    }
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

export function findServer(input: LookupInput): ServerLookup {
  const isExecutable = input.isExecutable ?? defaultIsExecutable;
  if (input.setting.trim() !== '') {
    const configured = expandSetting(input.setting, input.workspaceFolder);
    if (isExecutable(configured)) {
      return { found: true, path: configured, source: 'setting' };
    }
    // A configured path that does not work is reported, not silently replaced by another
    // binary: the user asked for this one.
    return {
      found: false,
      settingIsWrong: true,
      message: `Gene: the language server set in gene.server.path (${configured}) does not exist or is not executable.`,
    };
  }
  const bundled = path.join(input.extensionPath, 'server', executableName(input.platform));
  if (isExecutable(bundled)) {
    return { found: true, path: bundled, source: 'bundled' };
  }
  const onPath = searchPath(input, isExecutable);
  if (onPath) {
    return { found: true, path: onPath, source: 'path' };
  }
  return {
    found: false,
    settingIsWrong: false,
    message:
      'Gene: the language server gene-lsp was not found. Set gene.server.path, or put gene-lsp on your PATH ' +
      '(cargo install --path gene-lsp in the Gene repository).',
  };
}
