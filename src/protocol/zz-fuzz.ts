import { jsonCodec, protobufCodec, ProtocolError } from './index.js';
let seed = 12345;
const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const toks = ['{', '}', '[', ']', ',', ':', '"id"', '"connect"', '"subscribe"', '"subs"', '"headers"', '"tf"', '"nodes"', '"vals"', '"data"', '"channel"', '"offset"', '1', '-1', '1.5', '"x"', 'null', 'true', '"__proto__"', '\n', ' ', '"\\u00e9"', '4294967296', '"since"', '"publish"'];
let n = 0, ok = 0;
for (let i = 0; i < 300000; i++) {
  let s = '{';
  const len = 1 + Math.floor(rnd() * 25);
  for (let j = 0; j < len; j++) s += toks[Math.floor(rnd() * toks.length)];
  try { jsonCodec.decodeCommands(new TextEncoder().encode(s)); ok++; } catch (e) { if (!(e instanceof ProtocolError)) { console.log('JSON', JSON.stringify(s), e); process.exit(1); } }
  try { jsonCodec.decodeConnectRequest(new TextEncoder().encode(s)); } catch (e) { if (!(e instanceof ProtocolError)) { console.log('JSONc', JSON.stringify(s), e); process.exit(1); } }
  n++;
}
console.log('json', n, ok);
const good = protobufCodec.joinFrames([new Uint8Array(Buffer.from('08022a090a07636861743a3432', 'hex')), new Uint8Array(Buffer.from('080122150a0174 1a090a016112041801380522026a73'.replace(/ /g, ''), 'hex'))]);
ok = 0;
for (let i = 0; i < 300000; i++) {
  const f = new Uint8Array(good);
  const flips = 1 + Math.floor(rnd() * 4);
  for (let j = 0; j < flips; j++) f[Math.floor(rnd() * f.length)] = Math.floor(rnd() * 256);
  const cut = f.subarray(0, 1 + Math.floor(rnd() * f.length));
  for (const fn of [() => protobufCodec.decodeCommands(cut), () => protobufCodec.decodeConnectRequest(cut), () => protobufCodec.decodeEmulationRequest(cut)]) {
    try { fn(); ok++; } catch (e) { if (!(e instanceof ProtocolError)) { console.log('PB', Buffer.from(cut).toString('hex'), e); process.exit(1); } }
  }
}
console.log('pb ok', ok);
