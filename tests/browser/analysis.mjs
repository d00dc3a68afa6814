// Run by run.sh: in a real Chromium, the dashboard's form runs an analysis of a sample topic and
// shows its progress, the three engines' reports and the forum discussion.
import { chromium } from 'playwright-core';
const base = process.argv[2], token = process.argv[3];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
const page = await browser.newPage();
await page.goto(base + '/');
await page.fill('#query', '滨海马拉松');
await page.fill('#token', token);
await page.click('#ask button');
await page.waitForFunction(() => / (done|partial)$/.test(document.getElementById('asked').textContent), null, { timeout: 30000 });
await page.waitForFunction(() => document.querySelectorAll('#reports h3').length === 4, null, { timeout: 10000 });
const headings = await page.$$eval('#reports h3', hs => hs.map(h => h.textContent));
const reports = await page.$$eval('#reports pre', ps => ps.map(p => p.textContent));
const progress = await page.$$eval('#progress li', lis => lis.length);
const forum = await page.$$eval('#reports ol li', lis => lis.map(li => li.textContent));
console.log('status', await page.textContent('#asked'));
console.log('headings', headings.join(' | '));
console.log('progress lines', progress, 'forum messages', forum.length);
if (headings.length !== 4 || !reports.every(r => r.includes('滨海马拉松')) || progress < 10 || forum.length < 3) {
  console.error('the dashboard did not show the analysis');
  process.exit(1);
}
await browser.close();
