/**
 * `npm run render-cards`: renders every kind of Teams card the app sends to PNG (docs/cards/), in
 * headless Chromium with the `adaptivecards` renderer, so the README shows what users get. Needs
 * Debian's `chromium` (`apt-get install chromium`; CHROMIUM_PATH overrides /usr/bin/chromium).
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { CoordinatorEvent } from '../src/domain/merge/types.js';
import { type CardJson, digestCard, eventCard } from '../src/domain/notify/cards.js';
import { type EventContext, notificationsFor } from '../src/domain/notify/notifications.js';

const require = createRequire(import.meta.url);
const OUT = path.resolve('docs/cards');

const context: EventContext = {
  owner: 'acme',
  repo: 'wraith',
  repoUrl: 'https://github.com/acme/wraith',
  baseBranch: 'main',
  routing: { default_channel: 'general', routes: [] },
  knownChannels: new Set(['general']),
  task: (id) => ({ tags: [], path: `tasks/${id}.md`, generation: 5 }),
  pull: (n) => ({ labels: [], url: `https://github.com/acme/wraith/pull/${n}` }),
};

const event = (type: CoordinatorEvent['type'], fields: Partial<CoordinatorEvent>): CoordinatorEvent => ({
  type,
  key: type,
  taskId: null,
  pull: null,
  message: '',
  ...fields,
});

const cardOf = (e: CoordinatorEvent): CardJson =>
  eventCard(
    (notificationsFor(e, context)[0] as { payload: { card: Parameters<typeof eventCard>[0] } }).payload.card,
  );

const cards: Record<string, CardJson> = {
  'task-merged': cardOf(
    event('task.merged', { taskId: 'server/handler', pull: 15, message: 'server/handler merged (#15)' }),
  ),
  'merge-conflict': cardOf(
    event('merge.conflict', {
      taskId: 'transport/acme-cert-provisioning',
      pull: 16,
      message:
        '#16 (transport/acme-cert-provisioning) conflicts with main; the agent must merge main into its branch',
    }),
  ),
  'merge-failed': cardOf(
    event('merge.failed', {
      taskId: 'client/socks5-server',
      pull: 14,
      message: 'required checks failed on the merge result of #14: ci',
    }),
  ),
  'task-blocked': cardOf(
    event('task.blocked', {
      taskId: 'server/stealth-mode',
      pull: 21,
      actor: 'maintainer',
      message: 'server/stealth-mode is blocked by @maintainer: waiting for the vendor API key',
    }),
  ),
  'graph-completed': cardOf(
    event('graph.completed', {
      message: [
        'All 35 tasks are completed in 2 h 14 min.',
        'Merges: 26. Conflicts: 2. Failed runs on merge results: 1. Blocks: 0.',
        'Critical path planned: 10 tasks (setup/project-init → auth/error-types → auth/key-loading → … → meta/cli-layer → review/complete-system).',
        'Critical path actual: 10 tasks (setup/project-init → auth/error-types → auth/key-loading → … → meta/cli-layer → review/complete-system).',
      ].join('\n'),
    }),
  ),
  digest: digestCard({
    title: 'acme coordinator',
    events: [
      { severity: 'info', line: 'acme/wraith: Task merged: server/handler (#15)' },
      { severity: 'info', line: 'acme/wraith: Task ready: server/channel-proxy' },
      { severity: 'warning', line: 'acme/wraith: Merge conflict: transport/acme-cert-provisioning (#16)' },
      { severity: 'info', line: 'acme/wraith: Generation completed' },
      {
        severity: 'error',
        line: 'acme/wraith: Checks failed on the merge result: client/socks5-server (#14)',
      },
      { severity: 'info', line: 'acme/wraith: Task merged: napi/connect-function (#17)' },
    ],
  }),
};

mkdirSync(OUT, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
try {
  const page = await browser.newPage({ viewport: { width: 520, height: 400 }, deviceScaleFactor: 2 });
  await page.setContent(
    '<html><body style="margin:0;background:#f5f5f5;font-family:Segoe UI,Helvetica,Arial,sans-serif"><div id="card" style="width:480px;margin:20px;background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.2)"></div></body></html>',
  );
  await page.addScriptTag({ path: require.resolve('adaptivecards/dist/adaptivecards.js') });
  for (const [name, card] of Object.entries(cards)) {
    // Runs in the page (a string, so this file needs no DOM types).
    await page.evaluate(`(() => {
      const host = document.getElementById('card');
      host.innerHTML = '';
      const adaptive = new AdaptiveCards.AdaptiveCard();
      adaptive.parse(${JSON.stringify(card)});
      host.appendChild(adaptive.render());
    })()`);
    await (await page.$('#card'))?.screenshot({ path: path.join(OUT, `${name}.png`) });
    process.stdout.write(`wrote docs/cards/${name}.png\n`);
  }
} finally {
  await browser.close();
}
