// The "Gene Tasks" view against a scripted source, in plain Node: the `vscode` module is replaced
// by a stand-in with the tree-view pieces the view uses. The real view is covered by the
// end-to-end test in code-server.

import * as assert from 'node:assert/strict';
import Module from 'node:module';
import { describe, it } from 'node:test';

import type { TaskEntry } from '../src/protocol';

class FakeEmitter<T> {
  listeners: Array<(value: T) => void> = [];
  event = (listener: (value: T) => void) => {
    this.listeners.push(listener);
    return { dispose: () => undefined };
  };
  fire(value: T) {
    this.listeners.forEach((l) => l(value));
  }
  dispose() {
    this.listeners = [];
  }
}

const fakeView = { visible: true, message: undefined as string | undefined, dispose: () => undefined };

const fakeVscode = {
  EventEmitter: FakeEmitter,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  TreeItem: class {
    id?: string;
    description?: string;
    tooltip?: string;
    iconPath?: unknown;
    command?: { command: string; arguments: unknown[] };
    constructor(
      public label: string,
      public collapsibleState: number,
    ) {}
  },
  ThemeIcon: class {
    constructor(public id: string) {}
  },
  Position: class {
    constructor(
      public line: number,
      public character: number,
    ) {}
  },
  Range: class {
    constructor(
      public start: unknown,
      public end: unknown,
    ) {}
  },
  Uri: { file: (path: string) => ({ fsPath: path }) },
  window: { createTreeView: () => fakeView },
};

const moduleInternals = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const realLoad = moduleInternals._load;
moduleInternals._load = (request: string, ...rest: unknown[]) => (request === 'vscode' ? fakeVscode : realLoad(request, ...rest));

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { TasksView, describeTask, treeOf } = require('../src/tasks') as typeof import('../src/tasks');

function task(id: number, name: string, parent: number | null, extra: Partial<TaskEntry> = {}): TaskEntry {
  return {
    id,
    name,
    parent,
    state: 'waiting',
    site: { path: '/w/crawler.gene', line: id, col: 5 },
    created: null,
    waitingOn: null,
    waitingMs: null,
    ...extra,
  };
}

describe('the Gene Tasks view', () => {
  it('puts children under the task that started them and orphans at the top', () => {
    const tree = treeOf([task(1, 'main', null), task(3, 'crawler', 1), task(7, 'fetch', 3), task(9, 'orphan', 4)]);
    assert.deepEqual(
      tree.roots.map((t) => t.name),
      ['main', 'orphan'],
    );
    assert.deepEqual(
      tree.children.get(3)?.map((t) => t.name),
      ['fetch'],
    );
  });

  it('describes a waiting task with how long and on what', () => {
    const described = describeTask(task(7, 'fetch', 3, { waitingMs: 1204, waitingOn: 'gene/sleep_async (5 ms left)' }));
    assert.deepEqual(described, { label: 'task 7 fetch', description: 'waiting 1.2s on gene/sleep_async (5 ms left)' });
  });

  it('asks for the run in progress and opens a task at its await site', async () => {
    const asked: unknown[] = [];
    let runId: string | undefined = 'run-1';
    const view = new TasksView({
      runId: () => runId,
      request: async (method, params) => {
        asked.push([method, params]);
        return { runId: 'run-1', running: true, tasks: [task(1, 'main', null), task(2, 'worker', 1)] };
      },
    });
    try {
      await view.refresh();
      assert.deepEqual(asked, [['gene/tasks', { runId: 'run-1' }]]);
      const [main] = view.getChildren();
      assert.equal(main.name, 'main');
      const [worker] = view.getChildren(main);
      const item = view.getTreeItem(worker) as unknown as {
        label: string;
        command: { command: string; arguments: Array<{ fsPath?: string; selection?: { start: { line: number; character: number } } }> };
      };
      assert.equal(item.label, 'task 2 worker');
      assert.equal(item.command.command, 'vscode.open');
      assert.equal(item.command.arguments[0].fsPath, '/w/crawler.gene');
      const start = item.command.arguments[1].selection?.start;
      assert.deepEqual([start?.line, start?.character], [1, 4]);
      // Once the run is over the view empties and says so.
      runId = undefined;
      await view.refresh();
      assert.deepEqual(view.getChildren(), []);
      assert.equal(fakeView.message, 'No program is running.');
    } finally {
      view.dispose();
    }
  });
});
