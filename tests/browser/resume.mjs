// Browser check: the connection is dropped mid-stream (a proxy in front of the server closes
// it); events published while the page is disconnected arrive after EventSource reconnects
// with Last-Event-ID, with no gap.
import { chromium } from 'playwright-core';
import net from 'node:net';
const [host, port] = ['127.0.0.1', Number(process.argv[2])], token = process.argv[3];
const sockets = new Set();
const proxy = net.createServer(client => {
  const upstream = net.connect(port, host);
  client.pipe(upstream); upstream.pipe(client);
  const pair = { client, upstream }; sockets.add(pair);
  const end = () => { client.destroy(); upstream.destroy(); sockets.delete(pair); };
  client.on('error', end); upstream.on('error', end); client.on('close', end); upstream.on('close', end);
});
await new Promise(r => proxy.listen(0, '127.0.0.1', r));
const via = `http://127.0.0.1:${proxy.address().port}`;
const direct = `http://${host}:${port}`;
const restart = () => fetch(direct + '/api/actors/root/infra/metrics/restart', { method: 'POST', headers: { Authorization: 'Bearer ' + token } });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
const page = await browser.newPage();
await page.goto(via + '/');
await page.waitForFunction(() => document.getElementById('live').textContent === '(live)');
await restart();
await page.waitForFunction(() => document.querySelectorAll('#events li').length >= 3);
for (const s of [...sockets]) { s.client.destroy(); s.upstream.destroy(); }   // drop every connection
await page.waitForFunction(() => document.getElementById('live').textContent !== '(live)');
await restart();                                                                // while disconnected
await restart();
await page.waitForFunction(() => document.querySelectorAll('#events li').length >= 9, null, { timeout: 20000 });
const ids = await page.$$eval('#events li', lis => lis.map(li => li.dataset.id).reverse());
const offsets = ids.map(id => Number(id.split('-')[1]));
const contiguous = offsets.every((o, i) => i === 0 || o === offsets[i - 1] + 1);
console.log(ids.join(' '));
console.log(contiguous ? 'OK: no gap, no duplicate across the reconnection' : 'GAP OR DUPLICATE');
await browser.close(); proxy.close();
process.exit(contiguous ? 0 : 1);
