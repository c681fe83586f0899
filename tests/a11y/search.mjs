// The residents' site's search in headless Chromium: from each page given, type a word in
// the search box, wait for Pagefind's results (every one: « Plus de résultats » is pressed until it
// is gone), check that every result's link answers 200,
// open the first one and check that it is the page it says (its <main>, not a 404).
// Also checks that the search box has its label. Prints one JSON line per page, then exits
// 0 if every page passed, 1 if one failed, 2 if the browser cannot be started.
// usage : node search.mjs MOT URL…     (used by tests/test_site_search.py)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

const [word, ...urls] = process.argv.slice(2);
if (!word || urls.length === 0) {
  console.error("usage : node search.mjs MOT URL…");
  process.exit(2);
}
const profile = mkdtempSync(join(tmpdir(), "gasp-search-chromium-"));
let browser;
try {
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    userDataDir: profile,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--no-first-run"],
  });
} catch (error) {
  console.error(`Chromium ne démarre pas : ${error.message}`);
  rmSync(profile, { recursive: true, force: true });
  process.exit(2);
}
let failed = false;
try {
  const page = await browser.newPage();
  await page.setCacheEnabled(false); // each page as a first visitor gets it: 200, never 304
  for (const url of urls) {
    const report = { from: url, results: [], opened: null, status: null, problems: [] };
    const start = await page.goto(url, { waitUntil: "load" });
    if (!start || start.status() !== 200) report.problems.push(`page de départ : ${start && start.status()}`);
    await page.waitForSelector("#recherche input", { timeout: 10000 });
    const labelled = await page.evaluate(() => {
      const input = document.querySelector("#recherche input");
      return Boolean(input && input.labels && [...input.labels].some((label) => label.textContent.trim()));
    });
    if (!labelled) report.problems.push("le champ de recherche n’a pas d’étiquette");
    await page.type("#recherche input", word);
    try {
      await page.waitForSelector(".pagefind-ui__result-link", { timeout: 15000 });
      // Pagefind searches again at each letter typed: wait for the answer to the whole word (its
      // message names the word searched), not a list left by the first letters.
      await page.waitForFunction((typed) => {
        const message = document.querySelector("#recherche .pagefind-ui__message");
        return message !== null && message.textContent.includes(typed);
      }, { polling: 100, timeout: 30000 }, word);
      // Pagefind fills the results one by one, each once its fragment has come (a placeholder
      // marked pagefind-ui__loading until then): wait until none is loading and their number settles.
      const settled = () => page.waitForFunction(() => {
        const count = document.querySelectorAll(".pagefind-ui__result-link").length;
        const loading = document.querySelector("#recherche .pagefind-ui__loading") !== null;
        const same = window.__gaspCount === count;
        window.__gaspCount = count;
        return same && count > 0 && !loading;
      }, { polling: 300, timeout: 30000 });
      await settled();
      // Every result, not only the first page of them.
      for (let more = await page.$(".pagefind-ui__button"); more; more = await page.$(".pagefind-ui__button")) {
        const shown = await page.$$eval(".pagefind-ui__result-link", (links) => links.length);
        await more.click();
        await page.waitForFunction(
          (before) => document.querySelectorAll(".pagefind-ui__result-link").length > before
            || !document.querySelector(".pagefind-ui__button"),
          { polling: 100, timeout: 15000 }, shown);
        await settled();
      }
    } catch {
      report.problems.push("aucun résultat");
    }
    report.results = await page.evaluate(async () => {
      const links = [...document.querySelectorAll(".pagefind-ui__result-link")];
      const found = [];
      for (const link of links) {
        const answer = await fetch(link.href, { cache: "no-store" });
        const text = await answer.text();
        found.push({ title: link.textContent.trim(), href: link.href, status: answer.status,
                     page: text.includes("<main") });
      }
      return found;
    });
    for (const result of report.results) {
      if (result.status !== 200 || !result.page) report.problems.push(`${result.href} : ${result.status}`);
    }
    if (report.results.length) {
      const [response] = await Promise.all([
        page.waitForNavigation({ waitUntil: "load" }),
        page.click(".pagefind-ui__result-link"),
      ]);
      report.opened = page.url();
      report.status = response ? response.status() : null;
      const main = await page.$("main");
      if (report.status !== 200 || !main) report.problems.push(`résultat ouvert : ${report.opened} (${report.status})`);
    }
    if (report.problems.length) failed = true;
    console.log(JSON.stringify(report));
  }
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
