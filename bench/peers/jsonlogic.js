'use strict';
// Peer (4): json-logic-js. node jsonlogic.js FILE > unit,total CSV
// One JsonLogic rule computes a unit's total in hundredths: {"+": [leaf, ... 100 leaves]}, each leaf
// an "if" over its facts with only the standard operators (no add_operation):
//   band    p == 100 => maxH; 85 <= p < 100 => halfH; p < 85 => 0        (p in percent points)
//   rate    x / y >= 0.85 => round half up of x*maxH/y; else 0, where the rounding is done on
//           integers with "%": n = 2*x*maxH + y, d = 2*y, (n - n % d) / d  (exact: all < 2^53)
//   choice  == "a" => maxH; == "b" => halfH; == "c" => 0
//   count   >= 2 => maxH; == 1 => halfH; == 0 => 0
// A value no arm matches gives null, which makes the total non-integer: the unit is refused, as
// chiso reports "no band matches".
const jsonLogic = require('json-logic-js');
const { rows, typer, Output } = require('./csv');
const { build, formatH } = require('./workload');

const W = build();
const v = (name) => ({ var: name });
function leaf(l) {
    switch (l.kind) {
    case 'band':
        return { if: [
            { '==': [v(l.p), 100] }, l.maxH,
            { and: [{ '>=': [v(l.p), 85] }, { '<': [v(l.p), 100] }] }, l.halfH,
            { '<': [v(l.p), 85] }, 0,
            null] };
    case 'rate': {
        const n = { '+': [{ '*': [2, v(l.x), l.maxH] }, v(l.y)] };
        const d = { '*': [2, v(l.y)] };
        return { if: [
            { '>=': [{ '/': [v(l.x), v(l.y)] }, 0.85] }, { '/': [{ '-': [n, { '%': [n, d] }] }, d] },
            0] };
    }
    case 'choice':
        return { if: [{ '==': [v(l.c), 'a'] }, l.maxH, { '==': [v(l.c), 'b'] }, l.halfH, { '==': [v(l.c), 'c'] }, 0, null] };
    default:
        return { if: [{ '>=': [v(l.n), 2] }, l.maxH, { '==': [v(l.n), 1] }, l.halfH, { '==': [v(l.n), 0] }, 0, null] };
    }
}
const rule = { '+': W.leaves.map(leaf) };
if (process.env.PEER_DUMP) process.stderr.write(JSON.stringify(rule) + '\n');

const out = new Output();
let toFacts = null;
for (const row of rows(process.argv[2])) {
    if (!toFacts) { toFacts = typer(row, W); continue; }
    const total = jsonLogic.apply(rule, toFacts(row));
    if (!Number.isInteger(total)) throw new Error(`unit ${row[0]}: a value no band matches`);
    out.line(row[0], formatH(total));
}
out.flush();
