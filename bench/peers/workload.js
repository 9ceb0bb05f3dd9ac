'use strict';
// The peer benchmark's workload, in one place: every engine's rules are built from this spec, and
// gen.js writes the chiso rule file and the batch CSV from it (docs/performance.md, "Peer benchmark").
//
// 100 leaf criteria in 8 areas, maxima adding up to 100:
//   40 "band"   three bands on a percent fact p:  100% => max; 85%..<100% => max * 50%; < 85% => 0
//               (maxima 0.75 and 1.25, so half of max is 0.375 / 0.625: both round, half up, to 2 dp)
//   25 "rate"   two count facts x, y (y > 0 in the data), rate = x / y:
//               rate >= 85% => rate * max; else => 0   (max 1.2)
//   20 "choice" a choice fact with options a / b / c: a => max; b => max * 50%; c => 0
//               (maxima 0.5 and 1.5)
//   15 "count"  a count fact n: >= 2 => max; 1 => max * 50%; 0 => 0   (maxima 0.5 and 1)
// That is 40 + 2*25 + 20 + 15 = 125 facts the rules use, plus EXTRA (25) count facts a unit also
// reports but nothing scores ("ghi nhận"), so that a row has 150 facts, as asked.
// Scores are rounded to 2 decimals at every node, half up (chiso `round 2`).
//
// Everything is kept in hundredths (integers): maxH is the maximum in hundredths, halfH the
// rounded half of it.

const EXTRA = 25;
const AREAS = 8;

function pad2(n) { return String(n).padStart(2, '0'); }

function build() {
    const leaves = [];
    for (let i = 1; i <= 40; i++) {
        const maxH = i % 2 ? 75 : 125;
        leaves.push({ kind: 'band', p: `ty_le_${pad2(i)}`, maxH });
    }
    for (let i = 1; i <= 25; i++) leaves.push({ kind: 'rate', x: `so_dat_${pad2(i)}`, y: `so_tong_${pad2(i)}`, maxH: 120 });
    for (let i = 1; i <= 20; i++) {
        const maxH = i % 2 ? 50 : 150;
        leaves.push({ kind: 'choice', c: `muc_do_${pad2(i)}`, maxH });
    }
    for (let i = 1; i <= 15; i++) leaves.push({ kind: 'count', n: `so_luong_${pad2(i)}`, maxH: i <= 10 ? 50 : 100 });
    for (const l of leaves) l.halfH = (l.maxH + 1) >> 1; // max * 50% rounded half up: 75 -> 38, 125 -> 63

    // Deal the leaves out to the areas in turn, so each area mixes the kinds.
    const areas = [];
    for (let a = 1; a <= AREAS; a++) areas.push({ code: String(a), maxH: 0, leaves: [] });
    leaves.forEach((l, i) => {
        const area = areas[i % AREAS];
        area.leaves.push(l);
        area.maxH += l.maxH;
        l.code = `${area.code}.${area.leaves.length}`;
    });

    // Columns of the batch table, in declaration order: each area's facts in turn, then the extras.
    const facts = [];
    for (const area of areas) {
        for (const l of area.leaves) {
            if (l.kind === 'band') facts.push({ name: l.p, type: 'percent' });
            else if (l.kind === 'rate') facts.push({ name: l.x, type: 'count' }, { name: l.y, type: 'count' });
            else if (l.kind === 'choice') facts.push({ name: l.c, type: 'choice' });
            else facts.push({ name: l.n, type: 'count' });
        }
    }
    for (let i = 1; i <= EXTRA; i++) facts.push({ name: `ghi_nhan_${pad2(i)}`, type: 'count', extra: true });

    const ordered = areas.flatMap((a) => a.leaves); // leaves in code order
    const totalH = ordered.reduce((s, l) => s + l.maxH, 0);
    if (totalH !== 10000) throw new Error(`maxima add up to ${totalH / 100}, not 100`);
    return { areas, leaves: ordered, facts };
}

// Hundredths -> "87.35" (chiso's CSV: a dot, no trailing zeros: 87.3, 87, 0.05).
function formatH(h) {
    const neg = h < 0;
    if (neg) h = -h;
    const int = Math.floor(h / 100);
    const frac = h % 100;
    let s = String(int);
    if (frac) s += '.' + (frac % 10 ? pad2(frac) : String(frac / 10));
    return neg ? '-' + s : s;
}

module.exports = { build, formatH, EXTRA };
