// The Test Explorer steps of the VS Code end-to-end test: the Testing view lists a test file's
// tests (from the server's gene/discoverTests), and running them (gene.runTests) shows one pass
// and one failure, whose assertion becomes a problem of the file.

import * as fs from 'node:fs';
import * as path from 'node:path';

export const TEST_FILE = 'math_test.gene';

/** Puts the test file into the workspace (before the workbench opens, so discovery finds it). */
export function prepareTestingWorkspace(workspace) {
  fs.writeFileSync(
    path.join(workspace, TEST_FILE),
    '(fn add [a b] (a + b))\n(test "adds" (assert_eq (add 1 2) 3))\n(test "subtracts" (assert_eq (add 5 -2) 4))\n',
  );
}

/** The rows of the Test Explorer tree, as their accessible labels. */
async function rowLabels(page) {
  return page
    .locator('.test-explorer .monaco-list-row')
    .evaluateAll((rows) => rows.map((r) => `${r.getAttribute('aria-label') ?? ''} ${r.textContent ?? ''}`));
}

export async function testingSteps({ page, step, waitFor, runCommand, log }) {
  await step('the Test Explorer lists the tests of math_test.gene', async () => {
    await runCommand('Testing: Focus on Test Explorer View');
    const file = page.locator('.test-explorer .monaco-list-row', { hasText: TEST_FILE }).first();
    await file.waitFor({ state: 'visible', timeout: 60000 });
    if ((await file.getAttribute('aria-expanded')) !== 'true') {
      await file.click();
      await page.keyboard.press('ArrowRight');
    }
    const labels = await waitFor('the two tests under the file', async () => {
      const all = await rowLabels(page);
      return all.some((l) => /\badds\b/.test(l)) && all.some((l) => /\bsubtracts\b/.test(l)) ? all : undefined;
    }, 30000);
    log(`  Test Explorer rows: ${JSON.stringify(labels)}`);
  });

  await step('running them shows one pass and one failure', async () => {
    await runCommand('Test: Run All Tests');
    const labels = await waitFor('a passed and a failed test in the tree', async () => {
      const all = await rowLabels(page);
      const adds = all.find((l) => /\badds\b/.test(l));
      const subtracts = all.find((l) => /\bsubtracts\b/.test(l));
      return adds && subtracts && /passed/i.test(adds) && /failed/i.test(subtracts) ? all : undefined;
    }, 60000);
    log(`  after the run: ${JSON.stringify(labels)}`);
    // The failed assertion is a problem of the file (source "gene test") at its line.
    await runCommand('View: Focus Problems');
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'subtracts' }).first();
    await problem.waitFor({ state: 'visible', timeout: 30000 });
    const text = (await problem.innerText()).replace(/\u00a0/g, ' ').replace(/\s+/g, ' ');
    log(`  problem: ${text}`);
    if (!/assert_eq failed/.test(text) || !/gene test/.test(text)) {
      throw new Error(`the failed test's problem says ${JSON.stringify(text)}`);
    }
  });
}
