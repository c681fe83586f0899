// axe-core (WCAG 2.0/2.1 A and AA rules, and best practices) in headless Chromium over every .html file of
// the folders given; prints each violation and the count by rule; exit 1 if any, 2 if
// the browser cannot be started. Used by `make a11y`.
import { readdirSync, statSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axeSource = require("fs").readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
// AXE_TAGS=wcag2a,wcag2aa … to run other rule sets than WCAG 2.0 and 2.1, A and AA, and axe's best practices.
const TAGS = process.env.AXE_TAGS
  ? process.env.AXE_TAGS.split(",")
  : ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

function htmlFiles(folder) {
  const found = [];
  for (const name of readdirSync(folder).sort()) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) found.push(...htmlFiles(path));
    else if (name.endsWith(".html")) found.push(path);
  }
  return found;
}

const folders = process.argv.slice(2);
if (folders.length === 0) {
  console.error("usage : node run.mjs DOSSIER…");
  process.exit(2);
}
const files = folders.flatMap((folder) => htmlFiles(resolve(folder)));
const profile = mkdtempSync(join(tmpdir(), "gasp-a11y-chromium-"));
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
const byRule = new Map();
let pagesWithViolations = 0;
try {
  const page = await browser.newPage();
  for (const file of files) {
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    await page.evaluate(axeSource);
    const result = await page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
      TAGS);
    if (result.violations.length) pagesWithViolations += 1;
    for (const violation of result.violations) {
      byRule.set(violation.id, (byRule.get(violation.id) || 0) + violation.nodes.length);
      for (const node of violation.nodes) {
        console.log(`${file}: ${violation.id} (${violation.impact}) ${node.target.join(" ")}`);
        console.log(`    ${node.failureSummary.split("\n").join(" ")}`);
      }
    }
  }
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
const total = [...byRule.values()].reduce((a, b) => a + b, 0);
console.log(`axe-core : ${files.length} pages html, ${pagesWithViolations} avec des violations, ${total} violations.`);
for (const [rule, count] of [...byRule.entries()].sort()) console.log(`  ${rule} : ${count}`);
process.exit(total ? 1 : 0);
