// The "Gene Tasks" view: the live tasks of the program Run File is running, asked of the
// server with `gene/tasks {runId}` about once a second while the run goes and the view is
// visible. Children sit under the task that started them; a click opens the task's await site.

import * as vscode from 'vscode';

import { TASKS_REQUEST, type TaskEntry, type TasksResult, isTasksResult } from './protocol';

/** How often the view asks for the tree while a run goes. */
export const REFRESH_MS = 1000;

/** How the view reaches the server and the run in progress. */
export interface TasksSource {
  runId(): string | undefined;
  request(method: string, params: unknown): Promise<unknown>;
}

/** One line of the view: `task 3 worker`, described `waiting 1.2s on gene/sleep_async`. */
export function describeTask(task: TaskEntry): { label: string; description: string } {
  const parts: string[] = [task.state];
  if (typeof task.waitingMs === 'number') {
    parts[0] = `${task.state} ${(task.waitingMs / 1000).toFixed(1)}s`;
  }
  if (task.waitingOn) {
    parts.push(`on ${task.waitingOn}`);
  }
  return { label: `task ${task.id} ${task.name}`, description: parts.join(' ') };
}

/** The tasks whose parent is not in the list (the main program, orphans), and each task's
 * children, in the server's order. */
export function treeOf(tasks: TaskEntry[]): { roots: TaskEntry[]; children: Map<number, TaskEntry[]> } {
  const ids = new Set(tasks.map((t) => t.id));
  const children = new Map<number, TaskEntry[]>();
  const roots: TaskEntry[] = [];
  for (const task of tasks) {
    if (typeof task.parent === 'number' && ids.has(task.parent)) {
      const list = children.get(task.parent) ?? [];
      list.push(task);
      children.set(task.parent, list);
    } else {
      roots.push(task);
    }
  }
  return { roots, children };
}

export class TasksView implements vscode.TreeDataProvider<TaskEntry>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TaskEntry | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private tree = treeOf([]);
  private timer: ReturnType<typeof setInterval> | undefined;
  private asking = false;
  private readonly view: vscode.TreeView<TaskEntry>;

  constructor(private readonly source: TasksSource) {
    this.view = vscode.window.createTreeView('gene.tasks', { treeDataProvider: this });
    this.view.message = 'No program is running.';
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
  }

  dispose(): void {
    if (this.timer) {
      clearInterval(this.timer);
    }
    this.view.dispose();
    this.changed.dispose();
  }

  /** Asks for the tree of the run in progress (nothing while hidden or idle). */
  async refresh(): Promise<void> {
    if (this.asking || !this.view.visible) {
      return;
    }
    const runId = this.source.runId();
    if (!runId) {
      if (this.tree.roots.length > 0) {
        this.show(treeOf([]), 'No program is running.');
      }
      return;
    }
    this.asking = true;
    try {
      const result = await this.source.request(TASKS_REQUEST, { runId });
      if (isTasksResult(result)) {
        this.showResult(result);
      }
    } catch {
      // The run ended or the server restarted: the next refresh says so.
    } finally {
      this.asking = false;
    }
  }

  private showResult(result: TasksResult): void {
    if (!result.running) {
      this.show(treeOf([]), 'No program is running.');
    } else if (result.tasks.length === 0) {
      this.show(treeOf([]), 'The program did not answer (busy in a long native call?).');
    } else {
      this.show(treeOf(result.tasks), undefined);
    }
  }

  private show(tree: ReturnType<typeof treeOf>, message: string | undefined): void {
    this.tree = tree;
    this.view.message = message;
    this.changed.fire(undefined);
  }

  getChildren(element?: TaskEntry): TaskEntry[] {
    return element ? this.tree.children.get(element.id) ?? [] : this.tree.roots;
  }

  getTreeItem(task: TaskEntry): vscode.TreeItem {
    const { label, description } = describeTask(task);
    const hasChildren = (this.tree.children.get(task.id)?.length ?? 0) > 0;
    const item = new vscode.TreeItem(
      label,
      hasChildren ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
    );
    // Stable ids keep the expansion state across refreshes.
    item.id = `task-${task.id}`;
    item.description = description;
    const site = task.site;
    const created = task.created ? `\nstarted at ${task.created.path}:${task.created.line}:${task.created.col}` : '';
    item.tooltip = `${label}: ${description}${site ? `\nat ${site.path}:${site.line}:${site.col}` : ''}${created}`;
    item.iconPath = new vscode.ThemeIcon(task.state === 'waiting' ? 'watch' : task.state === 'running' ? 'play' : 'circle-outline');
    if (site) {
      const position = new vscode.Position(Math.max(0, site.line - 1), Math.max(0, site.col - 1));
      item.command = {
        command: 'vscode.open',
        title: 'Open the await site',
        arguments: [vscode.Uri.file(site.path), { selection: new vscode.Range(position, position) }],
      };
    }
    return item;
  }
}
