import { NdjsonParser } from '../api';

describe('NdjsonParser', () => {
  it('joins events split across chunks and keeps partial lines for later', () => {
    const parser = new NdjsonParser();
    expect(parser.push('{"type":"token","te')).toEqual([]);
    expect(parser.push('xt":"a"}\n{"type":"tok')).toEqual([
      { type: 'token', text: 'a' }
    ]);
    expect(parser.push('en","text":"b"}\n\n{"type":"done"}\n')).toEqual([
      { type: 'token', text: 'b' },
      { type: 'done' }
    ]);
    expect(parser.flush()).toEqual([]);
  });

  it('flushes a last event that has no newline', () => {
    const parser = new NdjsonParser();
    parser.push('{"type":"done","completion":"x"}');
    expect(parser.flush()).toEqual([{ type: 'done', completion: 'x' }]);
  });

  it('keeps multi-byte text intact inside events', () => {
    const parser = new NdjsonParser();
    expect(parser.push('{"type":"token","text":"é → ✓"}\n')).toEqual([
      { type: 'token', text: 'é → ✓' }
    ]);
  });
});
