// The run controller against a scripted server, in plain Node: the `vscode` module is replaced by
// a small stand-in that records what the controller shows (output channel, status bar, context
// key, messages). The real thing is covered by the end-to-end test in code-server.

import * as assert from 'node:assert/strict';
import Module from 'node:module';
import { describe, it } from 'node:test';

interface Recorded {
  channel: string;
  shown: number;
  status: { text: string; visible: boolean };
  context: Record<string, unknown>;
  errors: string[];
  infos: string[];
}

const recorded: Recorded = { channel: '', shown: 0, status: { text: '', visible: false }, context: {}, errors: [], infos: [] };

const fakeVscode = {
  StatusBarAlignment: { Left: 1, Right: 2 },
  window: {
    createStatusBarItem: () => ({
      set text(value: string) {
        recorded.status.text = value;
      },
      get text() {
        return recorded.status.text;
      },
      command: '',
      tooltip: '',
      show: () => {
        recorded.status.visible = true;
      },
      hide: () => {
        recorded.status.visible = false;
      },
      dispose: () => undefined,
    }),
    showErrorMessage: async (message: string) => {
      recorded.errors.push(message);
      return undefined;
    },
    showInformationMessage: async (message: string) => {
      recorded.infos.push(message);
      return undefined;
    },
  },
  workspace: {
    openTextDocument: async (uri: { toString(): string; fsPath: string; scheme: string }) => ({
      uri,
      fileName: uri.fsPath,
      isDirty: true,
    }),
    getConfiguration: () => ({ get: <T>(_key: string, fallback: T) => fallback }),
  },
  commands: {
    executeCommand: async (command: string, key: string, value: unknown) => {
      if (command === 'setContext') {
        recorded.context[key] = value;
      }
    },
  },
};

// Serve the stand-in to `require('vscode')` from the compiled sources.
const moduleInternals = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const realLoad = moduleInternals._load;
moduleInternals._load = (request: string, ...rest: unknown[]) => (request === 'vscode' ? fakeVscode : realLoad(request, ...rest));

const { RunController } = require('../src/run') as typeof import('../src/run');

const channel = {
  append: (text: string) => {
    recorded.channel += text;
  },
  clear: () => {
    recorded.channel = '';
  },
  show: () => {
    recorded.shown += 1;
  },
};

const fileUri = { scheme: 'file', fsPath: '/w/main.gene', toString: () => 'file:///w/main.gene' };

describe('run controller', () => {
  it('streams a run into the channel, in order, with a header and an exit line', async () => {
    const runs = new RunController(channel as never);
    const sent: Array<{ command: string; args: unknown[] }> = [];
    runs.setTransport({
      executeCommand: async (command, args) => {
        sent.push({ command, args });
        // The server may stream before the answer to gene.runFile is read.
        runs.onOutput({ runId: 'r1', stream: 'stdout', text: 'early\n' });
        return { runId: 'r1' };
      },
    });
    await runs.run(fileUri as never);
    assert.deepEqual(sent, [{ command: 'gene.runFile', args: [{ uri: 'file:///w/main.gene' }] }]);
    assert.equal(runs.running, true);
    assert.equal(recorded.status.visible, true);
    assert.match(recorded.status.text, /main\.gene/);
    assert.equal(recorded.context['gene.running'], true);

    runs.onOutput({ runId: 'r1', stream: 'stdout', text: 'par' });
    runs.onOutput({ runId: 'other', stream: 'stdout', text: 'from another run\n' });
    runs.onOutput({ runId: 'r1', stream: 'stderr', text: 'tial' });
    runs.onEnd({ runId: 'r1', status: 'ok', exitCode: 0, durationMs: 42 });

    const lines = recorded.channel.split('\n');
    assert.match(lines[0], /^\[Running\] \/w\/main\.gene \(with unsaved changes\) at \d\d:\d\d:\d\d$/);
    assert.deepEqual(lines.slice(1), ['early', 'partial', '[Done] exited with code 0 in 42 ms', '']);
    assert.equal(runs.running, false);
    assert.equal(recorded.status.visible, false);
    assert.equal(recorded.context['gene.running'], false);
    assert.ok(recorded.shown > 0, 'the channel was shown');
    runs.dispose();
  });

  it('stops through gene.stopRun and reports the stop', async () => {
    const runs = new RunController(channel as never);
    const sent: Array<{ command: string; args: unknown[] }> = [];
    runs.setTransport({
      executeCommand: async (command, args) => {
        sent.push({ command, args });
        if (command === 'gene.runFile') {
          return { runId: 'r2' };
        }
        runs.onEnd({ runId: 'r2', status: 'stopped', exitCode: 130, durationMs: 1500 });
        return null;
      },
    });
    await runs.run(fileUri as never);
    runs.onOutput({ runId: 'r2', stream: 'stdout', text: 'tick\n' });
    await runs.stop();
    assert.deepEqual(sent[1], { command: 'gene.stopRun', args: [{ runId: 'r2' }] });
    assert.deepEqual(recorded.channel.split('\n').slice(1), ['tick', '[Stopped] after 1.50 s', '']);
    assert.equal(runs.running, false);
    runs.dispose();
  });

  it('ends a run whose server went away, and says when a server has no Run File', async () => {
    const runs = new RunController(channel as never);
    runs.setTransport({ executeCommand: async () => ({ runId: 'r3' }) });
    await runs.run(fileUri as never);
    runs.setTransport(undefined);
    assert.match(recorded.channel, /\[Stopped\] the language server stopped after \d+ ms\n$/);
    assert.equal(runs.running, false);

    runs.setTransport({
      executeCommand: async () => {
        throw Object.assign(new Error('Method not found'), { code: -32601 });
      },
    });
    await runs.run(fileUri as never);
    assert.match(recorded.channel, /\[Failed\] the language server did not start the run: Method not found \(this gene-lsp does not support Run File; update it\)/);
    assert.equal(runs.running, false);
    assert.equal(recorded.errors.length, 1);
    runs.dispose();
  });
});
