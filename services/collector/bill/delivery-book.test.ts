import { describe, expect, it } from 'vitest';
import { DeliveryBook, type ListedFile } from './delivery-book.js';

const file = (id: string, folder: string, version: string, modifiedMillis: number): ListedFile => ({ id, folder, version, modifiedMillis });
const P = 'acct/2026-11-01/';

describe('DeliveryBook', () => {
  it('lists new and changed versions and removed files', () => {
    const book = new DeliveryBook().withFiles([{ file: file('a', 'f', '1', 1), periods: [P] }, { file: file('b', 'f', '1', 1), periods: [P] }], []);
    expect(book.changes([file('a', 'f', '1', 1), file('c', 'f', '1', 2)])).toEqual({ changed: [file('c', 'f', '1', 2)], removed: ['b'] });
  });

  it('puts every part of the newest folder holding a period in effect, and survives a round trip through its state', () => {
    const book = new DeliveryBook().withFiles(
      [
        { file: file('old/0', 'old', '1', 10), periods: [P] },
        { file: file('new/1', 'new', '1', 20), periods: [P] },
        { file: file('new/0', 'new', '1', 15), periods: [P, 'acct/2026-10-01/'] },
      ],
      [],
    );
    expect(book.delivery(P)).toEqual(['new/0', 'new/1']);
    expect(book.delivery('acct/2026-10-01/')).toEqual(['new/0']);
    expect(new DeliveryBook(JSON.parse(JSON.stringify(book.state())) as ReturnType<DeliveryBook['state']>).delivery(P)).toEqual(['new/0', 'new/1']);
    expect(book.withFiles([], ['new/0', 'new/1']).delivery(P)).toEqual(['old/0']);
  });

  it('retires the keys a period no longer holds', () => {
    const book = new DeliveryBook();
    expect(book.replace(P, new Set(['k1', 'k2']))).toEqual([]);
    expect(book.replace(P, new Set(['k2', 'k3']))).toEqual(['k1']);
    expect(book.replace(P, new Set())).toEqual(['k2', 'k3']);
    expect(book.state().live).toEqual({});
  });
});
