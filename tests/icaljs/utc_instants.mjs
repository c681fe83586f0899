// Prints, for each .ics file given, the UTC instant ical.js gives to every VEVENT's DTSTART.
// ical.js is the parser inside Thunderbird and many web calendars; it reads the
// file's own VTIMEZONE (the TZID is looked up in the component tree first).
// Output: one JSON object {file: {uid: "YYYY-MM-DDTHH:MM:SSZ"}}.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const result = {};
for (const file of process.argv.slice(2)) {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
  const instants = {};
  for (const vevent of calendar.getAllSubcomponents("vevent")) {
    const event = new ICAL.Event(vevent);
    const utc = new Date(event.startDate.toUnixTime() * 1000);
    instants[event.uid] = utc.toISOString().replace(".000Z", "Z");
  }
  result[file] = instants;
}
process.stdout.write(JSON.stringify(result) + "\n");
