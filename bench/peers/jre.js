'use strict';
// Peer (3): json-rules-engine. node jre.js FILE > unit,total CSV
// One Engine holds the rules built from workload.js; each unit is one engine.run(facts).
// json-rules-engine has conditions and events but no arithmetic, so:
//   band    two rules: ty_le == 100 => event {h: maxH}; 85 <= ty_le < 100 => event {h: halfH}
//   rate    a dynamic fact rate_K = x / y and one rule rate_K >= 0.85 => event {h: {fact: pts_K}},
//           where pts_K is a dynamic fact, the half-up rounding of x*maxH/y done on integers:
//           floor((2*x*maxH + y) / (2*y))  (replaceFactsInEventParams puts its value in the event)
//   choice  two rules: == "a" => {h: maxH}; == "b" => {h: halfH}
//   count   two rules: >= 2 => {h: maxH}; == 1 => {h: halfH}
// (175 rules.) The "zero" arms need no rule: no event is 0 points. The total, in hundredths, is
// the sum of the events' h. Unlike chiso, a value outside every band (none in the data) would
// score 0 here instead of being refused.
const { Engine } = require('json-rules-engine');
const { rows, typer, Output } = require('./csv');
const { build, formatH } = require('./workload');

const W = build();
const engine = new Engine([], { replaceFactsInEventParams: true });
const rule = (name, all, h) => engine.addRule({ name, conditions: { all }, event: { type: 'points', params: { h } } });
W.leaves.forEach((l, k) => {
    switch (l.kind) {
    case 'band':
        rule(`${l.code} full`, [{ fact: l.p, operator: 'equal', value: 100 }], l.maxH);
        rule(`${l.code} half`, [{ fact: l.p, operator: 'greaterThanInclusive', value: 85 },
            { fact: l.p, operator: 'lessThan', value: 100 }], l.halfH);
        break;
    case 'rate':
        engine.addFact(`rate_${k}`, async (params, almanac) =>
            (await almanac.factValue(l.x)) / (await almanac.factValue(l.y)));
        engine.addFact(`pts_${k}`, async (params, almanac) => {
            const x = await almanac.factValue(l.x), y = await almanac.factValue(l.y);
            return Math.floor((2 * x * l.maxH + y) / (2 * y));
        });
        rule(`${l.code} rate`, [{ fact: `rate_${k}`, operator: 'greaterThanInclusive', value: 0.85 }], { fact: `pts_${k}` });
        break;
    case 'choice':
        rule(`${l.code} full`, [{ fact: l.c, operator: 'equal', value: 'a' }], l.maxH);
        rule(`${l.code} half`, [{ fact: l.c, operator: 'equal', value: 'b' }], l.halfH);
        break;
    default:
        rule(`${l.code} full`, [{ fact: l.n, operator: 'greaterThanInclusive', value: 2 }], l.maxH);
        rule(`${l.code} half`, [{ fact: l.n, operator: 'equal', value: 1 }], l.halfH);
    }
});

async function main() {
    const out = new Output();
    let toFacts = null;
    for (const row of rows(process.argv[2])) {
        if (!toFacts) { toFacts = typer(row, W); continue; }
        const { events } = await engine.run(toFacts(row));
        let total = 0;
        for (const e of events) total += e.params.h;
        if (!Number.isInteger(total)) throw new Error(`unit ${row[0]}: bad total ${total}`);
        out.line(row[0], formatH(total));
    }
    out.flush();
}
main().catch((e) => { process.stderr.write(`jre.js: ${e.stack || e}\n`); process.exit(2); });
