import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { expandSetting, findServer, type LookupInput } from '../src/serverPath';

const EXT = '/ext';
const WORKSPACE = '/work/project';

function lookup(overrides: Partial<LookupInput>, executables: string[]) {
  const present = new Set(executables);
  return findServer({
    setting: '',
    extensionPath: EXT,
    workspaceFolder: WORKSPACE,
    env: { PATH: '/usr/local/bin:/usr/bin' },
    platform: 'linux',
    isExecutable: (file) => present.has(file),
    ...overrides,
  });
}

describe('server lookup', () => {
  it('prefers the setting over the bundled binary and PATH', () => {
    const result = lookup({ setting: '/opt/gene/gene-lsp' }, ['/opt/gene/gene-lsp', '/ext/server/gene-lsp', '/usr/bin/gene-lsp']);
    assert.deepEqual(result, { found: true, path: '/opt/gene/gene-lsp', source: 'setting' });
  });

  it('reports a setting that points nowhere instead of falling back', () => {
    const result = lookup({ setting: '/opt/missing/gene-lsp' }, ['/ext/server/gene-lsp']);
    assert.equal(result.found, false);
    assert.ok(!result.found && result.settingIsWrong);
    assert.match(!result.found ? result.message : '', /gene\.server\.path \(\/opt\/missing\/gene-lsp\)/);
  });

  it('resolves a relative setting against the workspace folder', () => {
    const result = lookup({ setting: 'target/debug/gene-lsp' }, ['/work/project/target/debug/gene-lsp']);
    assert.deepEqual(result, { found: true, path: '/work/project/target/debug/gene-lsp', source: 'setting' });
  });

  it('expands ~ to the home directory', () => {
    assert.equal(expandSetting('~/bin/gene-lsp'), path.join(os.homedir(), 'bin', 'gene-lsp'));
    assert.equal(expandSetting('  /abs/gene-lsp  '), '/abs/gene-lsp');
  });

  it('uses the bundled binary before PATH', () => {
    const result = lookup({}, ['/ext/server/gene-lsp', '/usr/bin/gene-lsp']);
    assert.deepEqual(result, { found: true, path: '/ext/server/gene-lsp', source: 'bundled' });
  });

  it('searches PATH in order', () => {
    const result = lookup({}, ['/usr/bin/gene-lsp', '/usr/local/bin/gene-lsp']);
    assert.deepEqual(result, { found: true, path: '/usr/local/bin/gene-lsp', source: 'path' });
  });

  it('finds gene-lsp.exe through PATHEXT on Windows', () => {
    const result = lookup(
      { platform: 'win32', extensionPath: 'C:\\ext', env: { Path: 'C:\\tools;C:\\gene\\bin', PATHEXT: '.COM;.EXE' } },
      [path.join('C:\\gene\\bin', 'gene-lsp.exe')],
    );
    assert.deepEqual(result, { found: true, path: path.join('C:\\gene\\bin', 'gene-lsp.exe'), source: 'path' });
  });

  it('says what to do when there is no server at all', () => {
    const result = lookup({}, []);
    assert.equal(result.found, false);
    assert.ok(!result.found && !result.settingIsWrong);
    assert.match(!result.found ? result.message : '', /gene\.server\.path/);
    assert.match(!result.found ? result.message : '', /PATH/);
  });
});
