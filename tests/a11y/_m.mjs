// Prototype measure (moved later).
import puppeteer from "puppeteer-core";
const [word, url, typing] = process.argv.slice(2);
const latency = "";
const browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
const page = await browser.newPage();
await page.setCacheEnabled(false);
const client = await page.createCDPSession();
if (latency) {
  await client.send("Network.enable");
  await client.send("Network.emulateNetworkConditions", { offline: false, latency: Number(latency), downloadThroughput: 10e6 / 8, uploadThroughput: 5e6 / 8 });
}
await page.goto(url, { waitUntil: "load" });
await page.waitForSelector("#recherche input");
let requests = 0, bytes = 0;
page.on("request", () => { requests++; });
page.on("response", async (r) => { try { bytes += (await r.buffer()).length; } catch {} });
const before = Number(await (await fetch(new URL("/__count", url))).text());
const t0 = Date.now();
await page.type("#recherche input", word, { delay: Number(typing || 0) });
const typed = Date.now() - t0;
const t1 = Date.now();
await page.waitForSelector(".pagefind-ui__result-link", { timeout: 60000 });
const first = Date.now() - t1;
await page.waitForFunction(() => { const c = document.querySelectorAll(".pagefind-ui__result-link").length; const s = window.__n === c; window.__n = c; return s && c > 0; }, { polling: 300, timeout: 60000 });
const message = await page.$eval(".pagefind-ui__message", (e) => e.textContent).catch(() => "");
const titles = await page.$$eval(".pagefind-ui__result-link", (l) => l.map((a) => a.getAttribute("href")));
const after = Number(await (await fetch(new URL("/__count", url))).text());
console.log(JSON.stringify({ url, first_ms: first, typed_ms: typed, requests: after - before, kB: Math.round(bytes / 1024), message, titles }));
await browser.close();
