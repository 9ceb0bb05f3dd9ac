'use strict';
// Peer (2): @gorules/zen-engine (GoRules ZEN: a Rust engine behind a Node-API binding).
// node zen.js [--graph tables|expression] FILE > unit,total CSV
//   PEER_ZEN_BATCH=N: N evaluations in flight (default 1; more does not help on one core)
//
// The decision graph is built here from workload.js, as the GoRules editor would save it (JDM).
// Two shapes of the same rules:
//   tables (default)  input -> one decision table per criterion (100, hit policy "first") -> an
//                     expression node "total" (the sum of the 100 outputs) -> output
//   expression        input -> one expression node: 100 expressions (one per criterion, a chain
//                     of `cond ? a : b`), then total = $.c0 + ... + $.c99 -> output
// Each criterion gives its points in hundredths, as integers:
//   band    input ty_le (percent points): 100 | [85..100) | < 85   =>  maxH | halfH | 0
//   rate    input so_dat / so_tong:       >= 0.85 | < 0.85         =>  floor(x * maxH / y + 0.5) | 0
//           (x * maxH / y is one exact decimal division; ZEN numbers are decimals, so this is the
//           exact half-up rounding of rate * max to hundredths)
//   choice  "a" | "b" | "c"                                       =>  maxH | halfH | 0
//   count   >= 2 | 1 | 0                                          =>  maxH | halfH | 0
// A value no row matches leaves the output unset, and the total is then not a number: refused.
const { ZenEngine } = require('@gorules/zen-engine');
const { rows, typer, Output } = require('./csv');
const { build, formatH } = require('./workload');

const W = build();
const BATCH = Math.max(1, Number(process.env.PEER_ZEN_BATCH || 1));
const pos = { x: 0, y: 0 };

function table(l, k) {
    const id = `t${k}`;
    const key = `c${k}`; // the output field s.cK
    let field, cases;
    switch (l.kind) {
    case 'band':
        field = l.p;
        cases = [['100', l.maxH], ['[85..100)', l.halfH], ['< 85', 0]];
        break;
    case 'rate':
        field = `${l.x} / ${l.y}`;
        cases = [['>= 0.85', `floor(${l.x} * ${l.maxH} / ${l.y} + 0.5)`], ['< 0.85', 0]];
        break;
    case 'choice':
        field = l.c;
        cases = [['"a"', l.maxH], ['"b"', l.halfH], ['"c"', 0]];
        break;
    default:
        field = l.n;
        cases = [['>= 2', l.maxH], ['1', l.halfH], ['0', 0]];
    }
    return {
        id, type: 'decisionTableNode', name: `Tiêu chí ${l.code}`, position: pos,
        content: {
            hitPolicy: 'first',
            inputs: [{ id: `${id}i`, name: field, field }],
            outputs: [{ id: `${id}o`, name: key, field: `s.${key}` }],
            rules: cases.map(([when, then], r) => ({ _id: `${id}r${r}`, [`${id}i`]: when, [`${id}o`]: String(then) })),
        },
    };
}

// The same as a ZEN expression: `cond ? a : (cond ? b : ...)`; no match gives null.
function expr(l) {
    switch (l.kind) {
    case 'band':
        return `${l.p} == 100 ? ${l.maxH} : (${l.p} >= 85 and ${l.p} < 100 ? ${l.halfH} : (${l.p} < 85 ? 0 : null))`;
    case 'rate':
        return `${l.x} / ${l.y} >= 0.85 ? floor(${l.x} * ${l.maxH} / ${l.y} + 0.5) : 0`;
    case 'choice':
        return `${l.c} == "a" ? ${l.maxH} : (${l.c} == "b" ? ${l.halfH} : (${l.c} == "c" ? 0 : null))`;
    default:
        return `${l.n} >= 2 ? ${l.maxH} : (${l.n} == 1 ? ${l.halfH} : (${l.n} == 0 ? 0 : null))`;
    }
}

const args = process.argv.slice(2);
let shape = 'tables';
if (args[0] === '--graph') { shape = args[1]; args.splice(0, 2); }
const sumOf = (prefix) => W.leaves.map((_, k) => `${prefix}c${k}`).join(' + ');
const edge = (a, b) => ({ id: `${a}-${b}`, sourceId: a, targetId: b, type: 'edge' });
const input = { id: 'in', type: 'inputNode', name: 'Đơn vị', position: pos };
const output = { id: 'out', type: 'outputNode', name: 'Kết quả', position: pos };
let graph;
if (shape === 'tables') {
    const tables = W.leaves.map(table);
    graph = {
        contentType: 'application/vnd.gorules.decision',
        nodes: [
            input,
            ...tables,
            { id: 'sum', type: 'expressionNode', name: 'Tổng điểm', position: pos,
              content: { expressions: [{ id: 'e', key: 'total', value: sumOf('s.') }] } },
            output,
        ],
        edges: [...tables.flatMap((t) => [edge('in', t.id), edge(t.id, 'sum')]), edge('sum', 'out')],
    };
} else if (shape === 'expression') {
    graph = {
        contentType: 'application/vnd.gorules.decision',
        nodes: [
            input,
            { id: 'score', type: 'expressionNode', name: 'Chấm điểm', position: pos,
              content: { expressions: [
                  ...W.leaves.map((l, k) => ({ id: `e${k}`, key: `c${k}`, value: expr(l) })),
                  { id: 'e', key: 'total', value: sumOf('$.') },
              ] } },
            output,
        ],
        edges: [edge('in', 'score'), edge('score', 'out')],
    };
} else {
    throw new Error(`--graph tables|expression, not ${shape}`);
}
if (process.env.PEER_DUMP) process.stderr.write(JSON.stringify(graph) + '\n');

async function main() {
    const engine = new ZenEngine();
    const decision = engine.createDecision(graph);
    const out = new Output();
    let toFacts = null;
    let units = [], pending = [];
    const drain = async () => {
        const res = await Promise.all(pending);
        for (let i = 0; i < res.length; i++) {
            const total = res[i].result.total;
            if (!Number.isInteger(total)) throw new Error(`unit ${units[i]}: a value no row matches (${total})`);
            out.line(units[i], formatH(total));
        }
        units = [];
        pending = [];
    };
    for (const row of rows(args[0])) {
        if (!toFacts) { toFacts = typer(row, W); continue; }
        units.push(row[0]);
        pending.push(decision.evaluate(toFacts(row)));
        if (pending.length >= BATCH) await drain();
    }
    await drain();
    out.flush();
    engine.dispose();
}
main().catch((e) => { process.stderr.write(`zen.js: ${e.stack || e}\n`); process.exit(2); });
