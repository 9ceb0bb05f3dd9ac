'use strict';
// node check.js CHISO_OUT PEER_OUT: does a peer's `unit,total` agree with chiso on EVERY unit?
// CHISO_OUT is `chiso eval --format csv --detail total` (the TOTAL row of each unit is used).
// Totals are compared as exact decimals: each is parsed from its text into hundredths (an integer;
// a total with more than 2 decimals, a fraction such as 1400/29, or a missing score is a
// disagreement), no floating point. Also every unit must be there once, in both.
// Prints one line: `agree N/N` or `DISAGREE k of N (first: ...)`; exit 0 only if all agree.
// node check.js --scored CHISO_OUT: every unit of chiso's output scored, with a total of <= 2 decimals.
const { rows } = require('./csv');

function hundredths(s) {
    const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(s);
    if (!m) return null;
    const v = Number(m[2]) * 100 + Number((m[3] || '0').padEnd(2, '0'));
    return m[1] ? -v : v;
}

const args = process.argv.slice(2);
const scoredOnly = args[0] === '--scored';
if (scoredOnly) args.shift();
const [chisoOut, peerOut] = args;
const ref = new Map();
let header = true;
for (const r of rows(chisoOut)) {
    if (header) {
        if (r.join(',') !== 'unit,code,title,score,max,status,decided_by') throw new Error(`${chisoOut}: not chiso's csv`);
        header = false;
        continue;
    }
    if (r[1] !== 'TOTAL') continue;
    if (ref.has(r[0])) throw new Error(`${chisoOut}: unit ${r[0]} twice`);
    ref.set(r[0], r[5] === 'scored' ? r[3] : `${r[3]} (${r[5]})`);
}
if (ref.size === 0) {
    console.log(`DISAGREE: no unit in ${chisoOut}`);
    process.exit(1);
}
let n = 0, bad = 0;
const first = [];
if (scoredOnly) {
    for (const [u, t] of ref) {
        if (hundredths(t) === null) {
            bad++;
            if (first.length < 3) first.push(`${u}: ${t}`);
        }
    }
    console.log(bad ? `NOT SCORED ${bad} of ${ref.size} (first: ${first.join('; ')})` : `${ref.size}/${ref.size} scored`);
    process.exit(bad ? 1 : 0);
}
const seen = new Set();
header = true;
for (const r of rows(peerOut)) {
    if (header && r.length === 1 && r[0] === '') break;
    if (header) {
        if (r.join(',') !== 'unit,total') throw new Error(`${peerOut}: header is not unit,total`);
        header = false;
        continue;
    }
    n++;
    const want = ref.get(r[0]);
    const wh = want === undefined ? null : hundredths(want);
    const gh = hundredths(r[1]);
    if (seen.has(r[0]) || wh === null || gh === null || wh !== gh) {
        bad++;
        if (first.length < 3) first.push(`${r[0]}: chiso ${want === undefined ? '(none)' : want}, peer ${r[1]}`);
    }
    seen.add(r[0]);
}
for (const u of ref.keys()) {
    if (!seen.has(u)) {
        bad++;
        if (first.length < 3) first.push(`${u}: missing from the peer's output`);
    }
}
const total = Math.max(n, ref.size);
if (bad) {
    console.log(`DISAGREE ${bad} of ${total} (first: ${first.join('; ')})`);
    process.exit(1);
}
console.log(`agree ${total}/${total}`);
