'use strict';
// The CSV side shared by every JavaScript peer, so that they differ only in how they score:
//   rows(path)         a generator of rows (arrays of strings), read in 1 MiB chunks (memory stays
//                      flat); RFC 4180: quoted fields, "" inside quotes, quoted newlines, CRLF
//   typer(header, W)   row -> a facts object {name: value} with typed values, as the rule engines
//                      take them: percent -> a number of percent points ("92,5%" -> 92.5),
//                      count -> a number, choice -> the option name
//   Output             buffered `unit,total` lines to standard output
const fs = require('fs');
const { StringDecoder } = require('string_decoder');

const CHUNK = 1 << 20;

function* rows(path) {
    const fd = fs.openSync(path, 'r');
    const buf = Buffer.allocUnsafe(CHUNK);
    const dec = new StringDecoder('utf8');
    let s = '';
    let eof = false;
    let first = true;
    try {
        while (!eof) {
            const n = fs.readSync(fd, buf, 0, CHUNK, null);
            if (n === 0) {
                eof = true;
                s += dec.end();
            } else {
                s += dec.write(n === CHUNK ? buf : buf.subarray(0, n));
            }
            if (first && s.charCodeAt(0) === 0xfeff) s = s.slice(1); // a BOM
            first = false;
            let pos = 0;
            for (;;) {
                const r = parseRow(s, pos, eof);
                if (r === null) break; // the row is not complete yet: read more
                pos = r.next;
                yield r.fields;
                if (pos >= s.length) break;
            }
            s = s.slice(pos);
        }
    } finally {
        fs.closeSync(fd);
    }
}

// One row from s at pos: {fields, next}, or null if the row may continue past the end of s (and
// not at EOF). An empty line at EOF yields nothing.
const ROW = { fields: null, next: 0 };
function parseRow(s, pos, eof) {
    const len = s.length;
    if (pos >= len) return null;
    let eol = s.indexOf('\n', pos);
    if (eol < 0) {
        if (!eof) return null;
        eol = len;
    }
    const fields = [];
    let p = pos;
    for (;;) {
        if (s.charCodeAt(p) === 34) { // a quoted field
            let q = p + 1;
            let text = '';
            for (;;) {
                const close = s.indexOf('"', q);
                if (close < 0) {
                    if (!eof) return null;
                    throw new Error('unterminated quote');
                }
                text += s.slice(q, close);
                if (s.charCodeAt(close + 1) === 34) { // "" inside quotes
                    text += '"';
                    q = close + 2;
                    continue;
                }
                p = close + 1;
                break;
            }
            if (p > eol) { // a newline inside the quotes: the row ends further on
                eol = s.indexOf('\n', p);
                if (eol < 0) {
                    if (!eof) return null;
                    eol = len;
                }
            }
            fields.push(text);
            // after the closing quote: a comma, the end of the line (or junk, kept as it is)
            const c = s.charCodeAt(p);
            if (c === 44) { p++; continue; }
            if (p >= eol || (c === 13 && p + 1 === eol)) break;
            const comma = s.indexOf(',', p);
            const end = comma < 0 || comma > eol ? eol : comma;
            fields[fields.length - 1] += s.slice(p, end);
            if (end === eol) break;
            p = end + 1;
        } else {
            let comma = s.indexOf(',', p);
            if (comma < 0 || comma > eol) {
                let end = eol;
                if (end > p && s.charCodeAt(end - 1) === 13) end--; // CRLF
                fields.push(s.slice(p, end));
                break;
            }
            fields.push(s.slice(p, comma));
            p = comma + 1;
        }
    }
    ROW.fields = fields;
    ROW.next = eol + 1;
    return ROW;
}

// "92,5%" -> 925 (tenths of a percent point, exact). Only what gen.js writes: digits, an optional
// decimal comma or dot and one digit, a '%'.
function pctTenths(v) {
    let i = 0, n = 0, c;
    while (i < v.length && (c = v.charCodeAt(i)) >= 48 && c <= 57) { n = n * 10 + (c - 48); i++; }
    n *= 10;
    if (c === 44 || c === 46) { n += v.charCodeAt(i + 1) - 48; i += 2; c = v.charCodeAt(i); }
    if (c !== 37 || i !== v.length - 1) throw new Error(`not a percent: ${JSON.stringify(v)}`);
    return n;
}

function typer(header, W) {
    const types = new Map(W.facts.map((f) => [f.name, f.type]));
    const conv = header.slice(1).map((name) => {
        const t = types.get(name);
        if (!t) throw new Error(`unknown column ${name}`);
        if (t === 'percent') return (v) => pctTenths(v) / 10;
        if (t === 'count') return (v) => { const n = +v; if (!Number.isInteger(n) || n < 0) throw new Error(`not a count: ${v}`); return n; };
        return (v) => v;
    });
    const names = header.slice(1);
    return (row) => {
        const o = {};
        for (let i = 0; i < names.length; i++) o[names[i]] = conv[i](row[i + 1]);
        return o;
    };
}

class Output {
    constructor() { this.parts = []; this.len = 0; this.write('unit,total\n'); }
    write(s) {
        this.parts.push(s);
        this.len += s.length;
        if (this.len >= 1 << 16) this.flush();
    }
    line(unit, total) {
        this.write((/[",\r\n]/.test(unit) ? `"${unit.replace(/"/g, '""')}"` : unit) + ',' + total + '\n');
    }
    flush() {
        if (!this.parts.length) return;
        const b = Buffer.from(this.parts.join(''));
        let off = 0;
        while (off < b.length) {
            try {
                off += fs.writeSync(1, b, off);
            } catch (e) {
                if (e.code !== 'EAGAIN') throw e;
            }
        }
        this.parts = [];
        this.len = 0;
    }
}

module.exports = { rows, typer, pctTenths, Output };
