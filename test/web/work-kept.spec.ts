// What the tab keeps of the student's work: the editor's files (through a reload, and in the
// export that "start over" and "import" go through), and each node terminal's working directory
// and variables through a reload.
import * as fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { onlyOwnOrigin, run } from './helpers.ts';

const ORIGIN = `http://127.0.0.1:${process.env.CNILAB_WEB_PORT ?? 5192}`;

/** The page engine's saved record in IndexedDB (idb-keyval's default store), as the next load reads it. */
function savedState(page: Page): Promise<any> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        // Runs in the page (the project's tsconfig has no DOM types).
        const open = (globalThis as any).indexedDB.open('keyval-store');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('keyval')) return resolve(undefined);
          const get = db.transaction('keyval').objectStore('keyval').get('cnilab.page.state');
          get.onsuccess = () => resolve(get.result);
          get.onerror = () => reject(get.error);
        };
      }),
  );
}

const openCode = async (page: Page) => {
  await page.locator('[data-action="open-code"]').click();
  await expect(page.locator('.cm-editor .cm-line').first()).toBeVisible({ timeout: 30_000 });
};

const MARK = '// my notes: the bridge comes first';

test('the editor’s files survive a reload, go into the export, and come back with import after start over', async ({ page }) => {
  test.setTimeout(180_000); // four cold loads of the page
  const foreign = onlyOwnOrigin(page, ORIGIN);
  await page.goto('./#/lab/04');
  await openCode(page);
  const file = (await page.locator('[data-todo="04"]').first().getAttribute('data-file'))!;
  await page.locator('[data-todo="04"]').first().click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.insertText(`${MARK}\n`);
  const kept = (s: any) => (s?.files?.['04'] ?? []).find((f: any) => f.path === file)?.text ?? '';
  await expect.poll(async () => kept(await savedState(page)), { message: 'the edit is saved in IndexedDB' }).toContain(MARK);

  await page.reload();
  await openCode(page);
  await expect(page.locator('.cm-editor')).toHaveAttribute('data-file', file);
  await expect(page.locator('.cm-content')).toContainText(MARK);

  await page.locator('[data-action="work"]').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-action="export"]').click()]);
  const out = test.info().outputPath('work.json');
  await download.saveAs(out);
  const exported = JSON.parse(fs.readFileSync(out, 'utf8'));
  expect(kept(exported).startsWith(`${MARK}\n`)).toBe(true);

  await page.locator('[data-action="start-over"]').click();
  await Promise.all([page.waitForEvent('load'), page.locator('[data-action="confirm-start-over"]').click()]);
  await openCode(page);
  await expect(page.locator('.cm-editor')).toHaveAttribute('data-file', file);
  await expect(page.locator('.cm-content')).not.toContainText(MARK);

  // An export whose files are not a list of path and text is refused, and nothing is lost.
  const bad = { ...exported, files: { '04': [{ path: file }] } };
  await page.locator('[data-action="work"]').click();
  await page.locator('[data-import-file]').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
  await expect(page.getByRole('alert')).toContainText('files of lab 04');

  await Promise.all([page.waitForEvent('load'), page.locator('[data-import-file]').setInputFiles(out)]);
  await openCode(page);
  await expect(page.locator('.cm-editor')).toHaveAttribute('data-file', file);
  await expect(page.locator('.cm-content')).toContainText(MARK);
  expect(foreign).toEqual([]);
});

test('Reset lab puts the editor’s files back to the starter', async ({ page }) => {
  await page.goto('./#/lab/04');
  await openCode(page);
  await page.locator('[data-todo="04"]').first().click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.insertText(`${MARK}\n`);
  await expect.poll(async () => JSON.stringify((await savedState(page))?.files?.['04'] ?? [])).toContain('my notes');
  await page.locator('#work-tab-terminals').click();
  await page.locator('[data-action="reset"]').click();
  await page.locator('[data-action="confirm-reset"]').click();
  await expect(page.getByRole('dialog')).toContainText('back to the starter');
  await page.keyboard.press('Escape');
  await openCode(page);
  await expect(page.locator('.cm-content')).not.toContainText(MARK);
});

test('after a reload a node’s terminal is back in its working directory with the variables it had', async ({ page }) => {
  await page.goto('./#/lab/01');
  await run(page, 'node1', 'cd /etc/cni');
  await run(page, 'node1', 'export GREETING=hello-from-before');
  await run(page, 'node1', 'POD_CIDR=10.244.1.0/24');
  await expect.poll(async () => (await savedState(page))?.shells?.node1, { message: 'node1’s shell state is saved' }).toMatchObject({
    cwd: '/etc/cni',
    vars: { GREETING: 'hello-from-before', POD_CIDR: '10.244.1.0/24' },
  });

  await page.reload();
  const out = await run(page, 'node1', 'pwd; echo "$GREETING $POD_CIDR"; ls');
  expect(out).toContain('root@node1:/etc/cni#');
  expect(out).toContain('/etc/cni\n');
  expect(out).toContain('hello-from-before 10.244.1.0/24');
  expect(out).toContain('net.d');
  // A child process sees the exported variable, as in bash.
  expect(await run(page, 'node1', 'sh -c \'echo "child: $GREETING"\'')).toContain('child: hello-from-before');
});
