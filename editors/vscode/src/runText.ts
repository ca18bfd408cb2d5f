// The lines the "Gene Run" output channel shows around a program's own output.

import type { RunEndParams } from './protocol';

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    return '?';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  return `${(ms / 1000).toFixed(2)} s`;
}

export function runHeader(filePath: string, unsaved: boolean, at: Date): string {
  const time = at.toTimeString().slice(0, 8);
  const note = unsaved ? ' (with unsaved changes)' : '';
  return `[Running] ${filePath}${note} at ${time}`;
}

export function exitLine(end: Pick<RunEndParams, 'status' | 'exitCode' | 'durationMs'>): string {
  const took = formatDuration(end.durationMs);
  switch (end.status) {
    case 'ok':
      return `[Done] exited with code ${end.exitCode} in ${took}`;
    case 'error':
      return `[Failed] exited with code ${end.exitCode} in ${took}`;
    case 'stopped':
      return `[Stopped] after ${took}`;
    default:
      return `[Ended] status ${String(end.status)}, code ${end.exitCode}, in ${took}`;
  }
}

/** The exit line when the server went away before it reported the end of the run. */
export function lostLine(elapsedMs: number): string {
  return `[Stopped] the language server stopped after ${formatDuration(elapsedMs)}`;
}
