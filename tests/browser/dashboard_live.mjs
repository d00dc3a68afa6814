// Run by run.sh: the dashboard shows an actor restart live in a real Chromium.
// Browser check: the dashboard's EventSource shows an actor restart live, and after the server
// drops its connection (a 1-event client queue overflows), it resumes without a gap.
import { chromium } from 'playwright-core';
const base = process.argv[2], token = process.argv[3];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
const page = await browser.newPage();
await page.goto(base + '/');
await page.waitForFunction(() => document.getElementById('live').textContent === '(live)', null, { timeout: 10000 });
const restart = await fetch(base + '/api/actors/root/infra/metrics/restart', { method: 'POST', headers: { Authorization: 'Bearer ' + token } });
console.log('restart', restart.status);
await page.waitForFunction(() => [...document.querySelectorAll('#events li')].some(li => / started root\/infra\/metrics/.test(li.textContent)), null, { timeout: 15000 });
const items = await page.$$eval('#events li', lis => lis.map(li => li.dataset.id + ' ' + li.textContent).reverse());
console.log(items.join('\n'));

await browser.close();
