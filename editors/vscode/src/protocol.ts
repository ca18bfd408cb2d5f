// The "Run file" protocol of gene-lsp: `workspace/executeCommand` `gene.runFile` with
// `[{"uri"}]` answers `{"runId"}`; the output arrives as `gene/runOutput` notifications and the
// end as one `gene/runEnd`; `gene.stopRun` with `[{"runId"}]` stops a run. The request
// `gene/tasks` `{runId}` answers the running program's live tasks.

export const RUN_FILE_COMMAND = 'gene.runFile';
export const STOP_RUN_COMMAND = 'gene.stopRun';
export const RUN_OUTPUT_NOTIFICATION = 'gene/runOutput';
export const RUN_END_NOTIFICATION = 'gene/runEnd';

export interface RunFileArgs {
  uri: string;
}

export interface RunFileResult {
  runId: string;
}

export interface StopRunArgs {
  runId: string;
}

export interface RunOutputParams {
  runId: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export type RunStatus = 'ok' | 'error' | 'stopped';

export interface RunEndParams {
  runId: string;
  status: RunStatus;
  exitCode: number;
  durationMs: number;
  /** A test run's counts (`gene.runTests`). */
  tests?: { passed: number; failed: number; skipped: number };
}

export function isRunFileResult(value: unknown): value is RunFileResult {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { runId?: unknown }).runId === 'string'
  );
}

export const TASKS_REQUEST = 'gene/tasks';

export interface SiteEntry {
  path: string;
  line: number;
  col: number;
}

export interface TaskEntry {
  id: number;
  name: string;
  parent: number | null;
  state: 'running' | 'ready' | 'waiting';
  site: SiteEntry | null;
  created: SiteEntry | null;
  waitingOn: string | null;
  waitingMs: number | null;
}

export interface TasksResult {
  runId: string;
  running: boolean;
  tasks: TaskEntry[];
}

export function isTasksResult(value: unknown): value is TasksResult {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { running?: unknown }).running === 'boolean' &&
    Array.isArray((value as { tasks?: unknown }).tasks)
  );
}
