// Which `gene` serves `gene dap`, from the language server's install.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { debugFileConfiguration, findDebugAdapter, lensUri } from '../src/debugAdapter';

const exists = (files: string[]) => (file: string) => files.includes(file);

describe('findDebugAdapter', () => {
  it('uses the server itself when it is gene', () => {
    const a = findDebugAdapter({ serverPath: '/opt/g/gene', env: {}, platform: 'linux', isExecutable: exists([]) });
    assert.deepEqual(a, { command: '/opt/g/gene', args: ['dap'] });
  });

  it('pairs gene-lsp with the gene beside it', () => {
    const a = findDebugAdapter({
      serverPath: '/opt/g/gene-lsp',
      env: { PATH: '/usr/bin' },
      platform: 'linux',
      isExecutable: exists(['/opt/g/gene', '/usr/bin/gene']),
    });
    assert.equal(a.command, '/opt/g/gene');
  });

  it('falls back to gene on PATH, then to the bare name', () => {
    const onPath = findDebugAdapter({
      serverPath: '/opt/g/gene-lsp',
      env: { PATH: '/a:/usr/bin' },
      platform: 'linux',
      isExecutable: exists(['/usr/bin/gene']),
    });
    assert.equal(onPath.command, '/usr/bin/gene');
    const bare = findDebugAdapter({ env: {}, platform: 'linux', isExecutable: exists([]) });
    assert.deepEqual(bare, { command: 'gene', args: ['dap'] });
  });
});

describe('debugFileConfiguration', () => {
  it('launches the file from its folder', () => {
    assert.deepEqual(debugFileConfiguration('/w/src/main.gene'), {
      type: 'gene',
      request: 'launch',
      name: 'Debug File',
      program: '/w/src/main.gene',
      cwd: '/w/src',
    });
  });
});

describe('lensUri', () => {
  it('reads the file of a Debug code lens', () => {
    assert.equal(lensUri({ uri: 'file:///w/main.gene' }), 'file:///w/main.gene');
    assert.equal(lensUri({ uri: '' }), undefined);
    assert.equal(lensUri({ uri: 3 }), undefined);
    assert.equal(lensUri(undefined), undefined);
    assert.equal(lensUri('file:///w/main.gene'), undefined);
  });
});
