'use strict';
// Peer (5): a hand-written JavaScript loop. node loop.js FILE > unit,total CSV
//   node loop.js --parse-only FILE   only read the CSV (csv.js) and write each unit with a 0 total:
//                                    the floor under every JavaScript peer
//   node loop.js --float FILE        NOT exact, for comparison only (not timed): the naive way, in
//                                    binary floating point (p / 100, rate * max, Math.round(v * 100)
//                                    / 100 per criterion, a float sum, toFixed(2)); check.js shows
//                                    how many totals then differ from chiso's
// Integer arithmetic in hundredths throughout (exact, as chiso):
//   band    p in tenths of a percent point: 1000 => maxH; 850..999 => halfH; else 0
//   rate    100*x >= 85*y  =>  round half up of x*maxH/y = floor((2*x*maxH + y) / (2*y)); else 0
//   choice  a => maxH; b => halfH; c => 0
//   count   n >= 2 => maxH; n == 1 => halfH; 0 => 0
// (halfH = max * 50% rounded half up, from workload.js). All values stay far below 2^53.
const { rows, pctTenths, Output } = require('./csv');
const { build, formatH } = require('./workload');

const args = process.argv.slice(2);
const parseOnly = args[0] === '--parse-only';
const naive = args[0] === '--float';
const file = parseOnly || naive ? args[1] : args[0];
const W = build();
const out = new Output();
let col = null; // fact name -> column index
let plan = null; // per leaf: [kind, col, col2, maxH, halfH]
const KIND = { band: 0, rate: 1, choice: 2, count: 3 };

for (const row of rows(file)) {
    if (col === null) {
        col = new Map(row.map((name, i) => [name, i]));
        const at = (name) => {
            const i = col.get(name);
            if (i === undefined) throw new Error(`no column ${name}`);
            return i;
        };
        plan = W.leaves.map((l) => {
            if (l.kind === 'band') return [0, at(l.p), 0, l.maxH, l.halfH];
            if (l.kind === 'rate') return [1, at(l.x), at(l.y), l.maxH, l.halfH];
            if (l.kind === 'choice') return [2, at(l.c), 0, l.maxH, l.halfH];
            return [3, at(l.n), 0, l.maxH, l.halfH];
        });
        continue;
    }
    if (parseOnly) { out.line(row[0], '0'); continue; }
    if (naive) { out.line(row[0], floatTotal(row)); continue; }
    let total = 0;
    for (let k = 0; k < plan.length; k++) {
        const [kind, c1, c2, maxH, halfH] = plan[k];
        const v = row[c1];
        switch (kind) {
        case 0: {
            const t = pctTenths(v);
            total += t === 1000 ? maxH : t >= 850 && t < 1000 ? halfH : t < 850 ? 0 : NaN;
            break;
        }
        case 1: {
            const x = +v, y = +row[c2];
            if (100 * x >= 85 * y) total += Math.floor((2 * x * maxH + y) / (2 * y));
            break;
        }
        case 2:
            total += v === 'a' ? maxH : v === 'b' ? halfH : v === 'c' ? 0 : NaN;
            break;
        default: {
            const n = +v;
            total += n >= 2 ? maxH : n === 1 ? halfH : n === 0 ? 0 : NaN;
        }
        }
    }
    if (!Number.isInteger(total)) throw new Error(`unit ${row[0]}: a value no band matches`);
    out.line(row[0], formatH(total));
}
out.flush();

function floatTotal(row) {
    let t = 0;
    for (const [kind, c1, c2, maxH] of plan) {
        const max = maxH / 100, v = row[c1];
        let s;
        if (kind === 0) {
            const p = pctTenths(v) / 1000;
            s = p === 1 ? max : p >= 0.85 ? max * 0.5 : 0;
        } else if (kind === 1) {
            const r = +v / +row[c2];
            s = r >= 0.85 ? r * max : 0;
        } else if (kind === 2) {
            s = v === 'a' ? max : v === 'b' ? max * 0.5 : 0;
        } else {
            const n = +v;
            s = n >= 2 ? max : n === 1 ? max * 0.5 : 0;
        }
        t += Math.round(s * 100) / 100;
    }
    return String(Number(t.toFixed(2)));
}
