/**
 * `npm run render-dashboard`: runs the demo on wraith until about half the tasks are merged, takes
 * the dashboard issue's body the app wrote at that moment, renders it as GitHub-flavoured Markdown
 * (`marked` with GFM, `github-markdown-css`) in headless Chromium and writes docs/dashboard.png, so
 * the README shows what users get. The Mermaid block is shown as its source (GitHub draws it as a
 * diagram in the browser). Needs Debian's `chromium` (CHROMIUM_PATH overrides /usr/bin/chromium).
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { marked } from 'marked';
import { chromium } from 'playwright-core';
import { runDemo } from '../sim/demo.js';

const require = createRequire(import.meta.url);
const OUT = path.resolve('docs/dashboard.png');
const TASKS = path.resolve('../shared/taskgraphs/wraith/01-decomposed-all-pending/tasks');

let captured: { number: number; title: string; body: string } | null = null;
await runDemo({
  tasksDir: TASKS,
  ciMs: 1_500,
  agentMs: 1_000,
  failRate: 0,
  failTasks: ['server/handler'],
  timeoutMs: 300_000,
  progress: (line) => process.stderr.write(`${line}\n`),
  stopWhen: async ({ repo }) => {
    const dashboard = [...repo.issues.values()].find((i) => i.labels.includes('coordinator: dashboard'));
    const done = /\*\*(\d+) of (\d+) tasks completed\*\*/.exec(dashboard?.body ?? '');
    // Mid-run, with a batch in CI and PRs queued: the body as it is at that moment.
    if (dashboard && done && Number(done[1]) >= 12 && dashboard.body.includes('in a batch'))
      captured = { number: dashboard.number, title: dashboard.title, body: dashboard.body };
    return captured !== null;
  },
});
const dashboard = captured as { number: number; title: string; body: string } | null;
if (!dashboard) throw new Error('the demo wrote no dashboard issue');
// GitHub draws the Mermaid block in the browser; here its source is folded away.
const body = dashboard.body.replace(
  /```mermaid\n([\s\S]*?)```/,
  (_m, src: string) =>
    `<details><summary>Mermaid graph (GitHub draws it as a diagram coloured by status)</summary>\n\n\`\`\`\n${src}\`\`\`\n</details>`,
);
const html = await marked.parse(body, { gfm: true });
const css = require.resolve('github-markdown-css/github-markdown-light.css');

mkdirSync(path.dirname(OUT), { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 600 }, deviceScaleFactor: 1 });
  await page.setContent(
    `<html><head><meta charset="utf-8"></head><body style="margin:0;background:#fff"><article class="markdown-body" id="issue" style="box-sizing:border-box;width:880px;padding:24px;border:1px solid #d0d7de;border-radius:6px;margin:10px">
      <p style="color:#59636e;margin:0 0 12px">#${dashboard.number} · ${dashboard.title} · opened by taskgraph-coordinator[bot]</p>${html}</article></body></html>`,
  );
  await page.addStyleTag({ path: css });
  await (await page.$('#issue'))?.screenshot({ path: OUT });
  process.stdout.write(`wrote ${path.relative(process.cwd(), OUT)}\n`);
} finally {
  await browser.close();
}
