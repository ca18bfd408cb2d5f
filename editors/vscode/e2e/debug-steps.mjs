// The debugger steps of the VS Code end-to-end test (vscode-e2e.mjs calls them once the
// workbench is open): a breakpoint set by a click in the editor's gutter, F5 (no launch.json:
// the extension debugs the active .gene file with `gene dap`), the stop, a local's value read
// in the Variables view, then continue to the end of the program.

import * as fs from 'node:fs';
import * as path from 'node:path';

const PROGRAM = '(var total 0)\n(for i in [1 2 3 4]\n  (total += i))\n(println "debugged" total)\n';
/** The line the breakpoint goes on (1-based) and the text that finds it on screen. */
const BREAK_LINE_TEXT = '(println "debugged" total)';

/** `t` gives the helpers of vscode-e2e.mjs: page, step, waitFor, runCommand, editorText,
 * normalize, and the workspace folder. */
export async function debugSteps(t) {
  const { page, step, waitFor, runCommand, editorText, normalize, workspace } = t;

  await step('open debug.gene', async () => {
    fs.writeFileSync(path.join(workspace, 'debug.gene'), PROGRAM);
    // The steps before may have left another view in the side bar (the Testing view).
    await runCommand('View: Show Explorer');
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'debug.gene' });
    await row.waitFor({ timeout: 30000 });
    await row.dblclick();
    await waitFor('the editor to show debug.gene', async () => (await editorText()).includes(BREAK_LINE_TEXT), 30000);
  });

  await step('set a breakpoint on line 4 with a click in the gutter', async () => {
    const editor = page.locator('.editor-group-container .monaco-editor').first();
    const line = editor.locator('.view-lines .view-line', { hasText: BREAK_LINE_TEXT }).first();
    const lineBox = await line.boundingBox();
    const gutter = await editor.locator('.margin .glyph-margin').first().boundingBox();
    if (!lineBox || !gutter) {
      throw new Error('cannot find line 4 or the glyph margin on screen');
    }
    await page.mouse.click(gutter.x + gutter.width / 2, lineBox.y + lineBox.height / 2);
    await editor.locator('.codicon-debug-breakpoint').first().waitFor({ state: 'visible', timeout: 10000 });
  });

  await step('F5 starts debugging and stops at the breakpoint', async () => {
    await page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
    await page.keyboard.press('F5');
    await page.locator('.debug-toolbar').first().waitFor({ state: 'visible', timeout: 60000 });
    // The Call Stack view's header says why the session paused.
    await page.getByText(/paused on breakpoint/i).first().waitFor({ state: 'visible', timeout: 30000 });
    await page.locator('.editor-group-container .debug-top-stack-frame-line').first().waitFor({ timeout: 10000 });
  });

  await step('read `total` in the Variables view', async () => {
    const row = page.locator('.debug-pane .monaco-list-row, .debug-view-content .monaco-list-row', { hasText: 'total' }).first();
    await row.waitFor({ state: 'visible', timeout: 20000 });
    const text = normalize(await row.innerText());
    t.log(`  Variables row: ${JSON.stringify(text)}`);
    if (!/total\s*[=:]\s*10/.test(text)) {
      throw new Error(`the Variables view shows ${JSON.stringify(text)}, not total = 10`);
    }
  });

  await step('continue to the end of the program', async () => {
    await page.keyboard.press('F5');
    await waitFor('the debug session to end', async () => {
      const toolbar = page.locator('.debug-toolbar').first();
      return (await toolbar.count()) === 0 || !(await toolbar.isVisible());
    }, 30000);
    const console = page.locator('.repl .monaco-list-rows, .repl').first();
    await waitFor('the program output in the Debug Console', async () => /debugged 10/.test(normalize(await console.innerText())), 15000);
  });
}
