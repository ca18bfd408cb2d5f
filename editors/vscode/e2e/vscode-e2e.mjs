// End-to-end test of the packaged extension in a real VS Code: code-server serves the workbench,
// Debian's headless Chromium shows it, playwright-core drives it through the DevTools protocol.
//
// The test opens a workspace holding a file with a floating future, waits for the A001 warning
// in the Problems panel, applies its quick fix, checks that the text now awaits, runs
// "Gene: Run File", finds the program's output in the "Gene Run" channel and saves a screenshot.
//
// Environment: CODE_SERVER_DIR (default ~/.cache/gene-e2e/code-server), GENE_LSP (default
// target/debug/gene-lsp, else target/release/gene-lsp), CHROMIUM (default `chromium`), VSIX
// (default editors/vscode/gene.vsix), E2E_OUTPUT (default editors/vscode/e2e-output).
// Exit status 0 when every step passed; otherwise the failed step, its error and the logs.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { prepareTestingWorkspace, testingSteps } from './testing-steps.mjs';
import { debugSteps } from './debug-steps.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const extensionDir = path.resolve(here, '..');
const repo = path.resolve(extensionDir, '..', '..');
const fixture = path.join(repo, 'editors', 'e2e', 'floating-future.gene');

const codeServerDir = process.env.CODE_SERVER_DIR ?? path.join(os.homedir(), '.cache', 'gene-e2e', 'code-server');
const codeServerEntry = path.join(codeServerDir, 'out', 'node', 'entry.js');
const vsix = process.env.VSIX ?? path.join(extensionDir, 'gene.vsix');
const chromiumBin = process.env.CHROMIUM ?? 'chromium';
const outputDir = process.env.E2E_OUTPUT ?? path.join(extensionDir, 'e2e-output');
const geneLsp =
  process.env.GENE_LSP ??
  [path.join(repo, 'target', 'debug', 'gene-lsp'), path.join(repo, 'target', 'release', 'gene-lsp')].find((p) => fs.existsSync(p));

/** The flags issue 8 requires, plus the two that make the browser drivable and fresh. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const started = Date.now();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gene-vscode-e2e-'));
const processes = [];
let page;

function log(message) {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`[vscode-e2e ${seconds}s] ${message}`);
}

class StepFailure extends Error {
  constructor(step, cause) {
    super(`${step}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.step = step;
  }
}

async function step(name, body) {
  log(`step: ${name}`);
  const t0 = Date.now();
  try {
    const result = await body();
    log(`  ok in ${Date.now() - t0} ms`);
    return result;
  } catch (error) {
    throw new StepFailure(name, error);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** code-server and Chromium write state under the XDG directories (crash reports, logs, a
 * device id) whatever their data directory: keep all of it in the temporary directory. */
const hermeticEnv = {
  ...process.env,
  XDG_CONFIG_HOME: path.join(tmp, 'xdg', 'config'),
  XDG_CACHE_HOME: path.join(tmp, 'xdg', 'cache'),
  XDG_DATA_HOME: path.join(tmp, 'xdg', 'data'),
  XDG_STATE_HOME: path.join(tmp, 'xdg', 'state'),
};

function startProcess(name, command, args, options = {}) {
  const logFile = path.join(tmp, `${name}.log`);
  const out = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', out, out], env: hermeticEnv, ...options });
  processes.push({ name, child, logFile });
  return { child, logFile };
}

async function waitFor(description, check, timeoutMs, intervalMs = 200) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) {
        return value;
      }
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${last ? ` (last error: ${last.message})` : ''}`);
}

/** Text of the rendered lines of a Monaco editor, with the non-breaking spaces Monaco renders
 * turned back into spaces. */
function normalize(text) {
  return text.replace(/\u00a0/g, ' ');
}

async function editorText() {
  return normalize(await page.locator('.editor-group-container .monaco-editor .view-lines').first().innerText());
}

async function panelText() {
  return normalize(await page.locator('.part.panel .monaco-editor .view-lines').first().innerText());
}

async function runCommand(title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 10000 });
  await row.click();
}

/** The files under `dir` whose name matches `pattern`. */
function findFiles(dir, pattern) {
  const found = [];
  for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      found.push(...findFiles(full, pattern));
    } else if (pattern.test(entry.name)) {
      found.push(full);
    }
  }
  return found;
}

function dumpLogs() {
  for (const { name, logFile } of processes) {
    if (fs.existsSync(logFile)) {
      console.log(`----- ${name} log (${logFile}) -----`);
      // Chromium complains about the missing D-Bus at length; that is not news.
      const lines = fs.readFileSync(logFile, 'utf8').split('\n').filter((l) => !/dbus/.test(l));
      console.log(lines.join('\n').slice(-6000));
    }
  }
  // The extension host's log and the extension's output channels, as code-server wrote them.
  for (const file of findFiles(path.join(tmp, 'user-data', 'logs'), /Gene|exthost\.log|remoteexthost\.log/)) {
    console.log(`----- ${path.relative(tmp, file)} -----`);
    console.log(fs.readFileSync(file, 'utf8').slice(-6000));
  }
}

async function cleanup() {
  try {
    await page?.context().browser()?.close();
  } catch {
    // the browser may already be gone
  }
  for (const { child } of processes.reverse()) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
    }
  }
  await new Promise((r) => setTimeout(r, 300));
  for (const { child } of processes) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
  }
}

async function main() {
  fs.mkdirSync(outputDir, { recursive: true });
  const workspace = path.join(tmp, 'workspace');
  const userData = path.join(tmp, 'user-data');
  const extensions = path.join(tmp, 'extensions');

  await step('check the prerequisites', () => {
    const missing = [];
    if (!fs.existsSync(codeServerEntry)) missing.push(`code-server (${codeServerEntry}; install it with /work/shared/tools/install-code-server.sh)`);
    if (!fs.existsSync(vsix)) missing.push(`the packaged extension ${vsix} (npm run package)`);
    if (!geneLsp || !fs.existsSync(geneLsp)) missing.push('gene-lsp (cargo build -p gene-lsp, or set GENE_LSP)');
    // Looked up, not started: a bare start would write a crash-report folder into ~/.config.
    if (spawnSync('sh', ['-c', 'command -v "$1"', 'sh', chromiumBin]).status !== 0) missing.push(`Chromium (${chromiumBin}; apt-get install chromium)`);
    if (missing.length > 0) {
      throw new Error(`missing: ${missing.join('; ')}`);
    }
  });

  await step('prepare the workspace and the VS Code settings', () => {
    fs.mkdirSync(workspace, { recursive: true });
    fs.copyFileSync(fixture, path.join(workspace, 'floating.gene'));
    fs.writeFileSync(path.join(workspace, 'forever.gene'), '(var n 0)\n(loop\n  (n += 1)\n  (println "tick" n)\n  (gene/sleep 20))\n');
    fs.writeFileSync(
      path.join(workspace, 'tasks.gene'),
      '(var gate (new gene/Future))\n(fn ^^async worker [] (await gate))\n(var w (worker))\n(println "ready")\n(await (gene/sleep_async 600000))\n',
    );
    prepareTestingWorkspace(workspace);
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    const settings = {
      'gene.server.path': geneLsp,
      // The protocol traffic lands in the log printed on failure.
      'gene.trace.server': 'messages',
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.enableExperiments': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.ignoreRecommendations': true,
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      'security.workspace.trust.enabled': false,
      'update.mode': 'none',
      'editor.minimap.enabled': false,
      'window.commandCenter': false,
    };
    fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
    fs.writeFileSync(path.join(tmp, 'config.yaml'), 'auth: none\ncert: false\n');
  });

  const codeServerArgs = [
    codeServerEntry,
    '--config', path.join(tmp, 'config.yaml'),
    '--user-data-dir', userData,
    '--extensions-dir', extensions,
  ];

  await step('install the packaged .vsix into code-server', () => {
    const result = spawnSync(process.execPath, [...codeServerArgs, '--install-extension', vsix], { encoding: 'utf8', timeout: 120000, env: hermeticEnv });
    const output = `${result.stdout}${result.stderr}`;
    if (result.status !== 0 || !/successfully installed/.test(output)) {
      throw new Error(`code-server --install-extension exited with ${result.status}:\n${output}`);
    }
    const installed = fs.readdirSync(extensions).filter((d) => d.startsWith('gene-lang.gene-'));
    if (installed.length !== 1) {
      throw new Error(`expected the extension in ${extensions}, found ${fs.readdirSync(extensions).join(', ')}`);
    }
  });

  const port = await freePort();
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
  await step(`start code-server on 127.0.0.1:${port}`, async () => {
    startProcess('code-server', process.execPath, [
      ...codeServerArgs,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--bind-addr', `127.0.0.1:${port}`,
      workspace,
    ]);
    await waitFor('code-server to answer HTTP', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      return response.ok;
    }, 60000);
  });

  await step('start headless Chromium and connect playwright-core', async () => {
    const profile = path.join(tmp, 'chromium-profile');
    const { child, logFile } = startProcess('chromium', chromiumBin, [
      ...CHROMIUM_FLAGS,
      `--user-data-dir=${profile}`,
      '--remote-debugging-port=0',
      'about:blank',
    ]);
    const endpoint = await waitFor('Chromium to print its DevTools endpoint', () => {
      if (child.exitCode !== null) {
        throw new Error(`Chromium exited with ${child.exitCode}`);
      }
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(fs.readFileSync(logFile, 'utf8'));
      return match?.[1];
    }, 30000);
    const browser = await chromium.connectOverCDP(endpoint);
    const context = browser.contexts()[0] ?? (await browser.newContext());
    page = context.pages()[0] ?? (await context.newPage());
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  await step('open the workbench', async () => {
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 90000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'floating.gene' }).waitFor({ timeout: 60000 });
  });

  await step('open floating.gene', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'floating.gene' }).dblclick();
    await waitFor('the editor to show the file', async () => (await editorText()).includes('(job 10)'), 30000);
  });

  await step('wait for the A001 warning in the Problems panel', async () => {
    await runCommand('View: Focus Problems');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'A001' }).first();
    await row.waitFor({ state: 'visible', timeout: 60000 });
    const text = normalize(await row.innerText());
    if (!/never awaited/.test(text)) {
      throw new Error(`the A001 row does not carry the rule's message: ${JSON.stringify(text)}`);
    }
    log(`  problem: ${text.replace(/\s+/g, ' ')}`);
  });

  await step('apply the quick fix "Wrap in `(await ...)`"', async () => {
    // Clicking the problem puts the cursor on it; Ctrl+. lists the fixes for that place.
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'A001' }).first().click();
    await page.waitForTimeout(300);
    await page.locator('.editor-group-container .monaco-editor textarea').first().focus();
    await page.keyboard.press('Control+.');
    const rows = page.locator('.action-widget .monaco-list-row.action');
    await rows.filter({ hasText: /await/ }).first().waitFor({ state: 'visible', timeout: 30000 });
    const labels = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    log(`  actions offered: ${JSON.stringify(labels)}`);
    // The widget blocks pointer events while it opens: choose with the keyboard, as users do.
    const wanted = labels.findIndex((l) => /^Wrap in .*await/.test(l));
    if (wanted < 0) {
      throw new Error('no "Wrap in `(await ...)`" action');
    }
    await waitFor('the wrap-in-await action to be selected', async () => {
      const focused = await rows.evaluateAll((els) => els.findIndex((e) => e.classList.contains('focused')));
      if (focused === wanted) {
        return true;
      }
      await page.keyboard.press(focused < wanted ? 'ArrowDown' : 'ArrowUp');
      return false;
    }, 10000, 100);
    await page.keyboard.press('Enter');
  });

  await step('check that the text now awaits the future', async () => {
    await waitFor('(await (job 10)) in the editor', async () => (await editorText()).includes('(await (job 10))'), 20000);
    await waitFor('the A001 warning to go away', async () => (await page.locator('.markers-panel .monaco-list-row', { hasText: 'A001' }).count()) === 0, 30000);
  });

  await step('"Gene: Restart Language Server", then diagnostics still come', async () => {
    await page.locator('.editor-group-container .monaco-editor textarea').first().focus();
    await runCommand('Gene: Restart Language Server');
    await page.locator('.part.statusbar', { hasText: 'language server restarted' }).waitFor({ timeout: 30000 });
    // A new floating future at the end of the file gets A001 from the restarted server; undo
    // takes it away again.
    await page.locator('.editor-group-container .monaco-editor textarea').first().focus();
    const before = await editorText();
    await page.keyboard.press('Control+End');
    // With or without bracket auto-closing, typing the closer leaves one.
    await page.keyboard.type('\n(job 20)');
    await waitFor('(job 20) in the editor', async () => (await editorText()).includes('(job 20)'), 10000);
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'A001' }).first().waitFor({ state: 'visible', timeout: 30000 });
    await waitFor('undo to restore the text', async () => {
      if ((await editorText()) === before) {
        return true;
      }
      await page.keyboard.press('Control+Z');
      return false;
    }, 15000, 300);
    await waitFor('the A001 warning to go away', async () => (await page.locator('.markers-panel .monaco-list-row', { hasText: 'A001' }).count()) === 0, 30000);
    if (!(await editorText()).includes('(await (job 10))')) {
      throw new Error('undo went past the typed line');
    }
  });

  await step('run "Gene: Run File"', async () => {
    await page.locator('.editor-group-container .monaco-editor textarea').first().focus();
    await runCommand('Gene: Run File');
  });

  await step('find the program output in the "Gene Run" channel', async () => {
    const text = await waitFor('the run to end in the Gene Run channel', async () => {
      const t = await panelText();
      return /\[(Done|Failed|Stopped)\]/.test(t) ? t : undefined;
    }, 60000);
    log(`  Gene Run channel:\n${text.split('\n').map((l) => `    | ${l}`).join('\n')}`);
    const expected = [/\[Running\] \S*floating\.gene/, /e2e: start/, /job finished after 10 ms/, /e2e: end/, /\[Done\] exited with code 0/];
    const missing = expected.filter((re) => !re.test(text));
    if (missing.length > 0) {
      throw new Error(`the Gene Run channel lacks ${missing.map(String).join(', ')}`);
    }
    // The extension said it handles the run notifications: the server does not also log the
    // output into the "Gene Language Server" channel.
    for (const file of findFiles(path.join(tmp, 'user-data', 'logs'), /Gene Language Server\.log$/)) {
      if (fs.readFileSync(file, 'utf8').includes('job finished after')) {
        throw new Error(`the program output also went to ${path.basename(file)} (window/logMessage)`);
      }
    }
    const channel = await page.locator('.part.panel select.monaco-select-box').evaluateAll((selects) =>
      selects.map((s) => s.options[s.selectedIndex]?.text ?? ''),
    );
    if (!channel.includes('Gene Run')) {
      throw new Error(`the output panel shows ${JSON.stringify(channel)}, not "Gene Run"`);
    }
  });

  await step('save a screenshot', async () => {
    const file = path.join(outputDir, 'vscode.png');
    await page.screenshot({ path: file });
    log(`  screenshot: ${file}`);
  });

  await step('the "Run" code lens runs the file through the same channel', async () => {
    const before = await panelText();
    // The header carries the time to the second: a new run's header differs from this one.
    await page.waitForTimeout(1100);
    await page.locator('.editor-group-container .codelens-decoration a', { hasText: 'Run' }).first().click();
    const text = await waitFor('a second run to end', async () => {
      const t = await panelText();
      return t !== before && /\[Done\] exited with code 0/.test(t) ? t : undefined;
    }, 60000);
    if ((text.match(/\[Running\]/g) ?? []).length !== 1 || !/job finished after 10 ms/.test(text)) {
      throw new Error(`the Gene Run channel after the code lens run:\n${text}`);
    }
  });

  await step('the editor title button runs forever.gene; the status-bar item stops it', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'forever.gene' }).dblclick();
    await waitFor('the editor to show forever.gene', async () => (await editorText()).includes('(loop'), 30000);
    await page.locator('.editor-actions [aria-label^="Gene: Run File"], .editor-actions [aria-label^="Run File"]').first().click();
    await waitFor('the program to print', async () => /tick 3/.test(await panelText()), 30000);
    const item = page.locator('.part.statusbar .statusbar-item', { hasText: 'Gene: forever.gene' }).first();
    await item.waitFor({ state: 'visible', timeout: 10000 });
    await item.locator('a, .statusbar-item-label').first().click();
    await waitFor('[Stopped] in the Gene Run channel', async () => /\[Stopped\] after/.test(await panelText()), 15000);
    await waitFor('the status-bar item to go away', async () => (await item.count()) === 0 || !(await item.isVisible()), 10000);
  });

  await step('the "Gene Tasks" view shows a waiting task of a running program; a click opens its await', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'tasks.gene' }).dblclick();
    await waitFor('the editor to show tasks.gene', async () => (await editorText()).includes('(fn ^^async worker'), 30000);
    await runCommand('Gene: Run File');
    await waitFor('the program to print', async () => /ready/.test(await panelText()), 30000);
    const header = page.locator('.pane-header', { hasText: 'Gene Tasks' }).first();
    await header.waitFor({ state: 'visible', timeout: 10000 });
    if ((await header.getAttribute('aria-expanded')) !== 'true') {
      await header.click();
    }
    const row = page.locator('.monaco-list-row', { hasText: 'worker' }).filter({ hasText: 'waiting' }).first();
    await row.waitFor({ state: 'visible', timeout: 20000 });
    const text = normalize(await row.innerText());
    log(`  Gene Tasks row: ${JSON.stringify(text)}`);
    if (!/task \d+ worker/.test(text) || !/on gene\/Future created at/.test(text)) {
      throw new Error(`the worker's row says ${JSON.stringify(text)}`);
    }
    await page.locator('.monaco-list-row', { hasText: 'main' }).filter({ hasText: 'gene/sleep_async' }).first().waitFor({ state: 'visible', timeout: 10000 });
    await row.click();
    await waitFor('the cursor on the await site (line 2)', async () => {
      const status = normalize(await page.locator('.part.statusbar').innerText());
      return /Ln 2, Col 23/.test(status);
    }, 10000);
    await runCommand('Gene: Stop Run');
    await waitFor('[Stopped] in the Gene Run channel', async () => /\[Stopped\] after/.test(await panelText()), 15000);
  });

  await testingSteps({ page, step, waitFor, runCommand, log });
  await debugSteps({ page, step, waitFor, runCommand, editorText, normalize, workspace, log });
}

let failed = false;
try {
  await main();
  log(`PASSED in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  failed = true;
  console.error(`\nVS Code e2e FAILED at step "${error.step ?? 'setup'}"\n${error.stack ?? error}`);
  if (page) {
    const shot = path.join(outputDir, 'vscode-failure.png');
    try {
      await page.screenshot({ path: shot });
      console.error(`screenshot of the failure: ${shot}`);
    } catch {
      // no page to capture
    }
  }
  dumpLogs();
} finally {
  await cleanup();
  if (!failed || !process.env.KEEP_E2E_TMP) {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
process.exit(failed ? 1 : 0);
