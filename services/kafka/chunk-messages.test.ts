import { describe, expect, it } from 'vitest';
import { chunkTopicMessages } from './chunk-messages.js';

const message = (key: string, bytes: number) => ({ key, value: Buffer.alloc(bytes) });

describe('chunkTopicMessages', () => {
  it('keeps a small batch in one request', () => {
    const input = [{ topic: 'a', messages: [message('1', 10), message('2', 10)] }];
    expect(chunkTopicMessages(input, 1000)).toEqual([input]);
  });

  it('splits so that no request exceeds the limit, keeping every message once and in order per topic', () => {
    const input = [
      { topic: 'a', messages: Array.from({ length: 10 }, (_, i) => message(`a${i}`, 100)) },
      { topic: 'b', messages: Array.from({ length: 5 }, (_, i) => message(`b${i}`, 100)) },
    ];
    const requests = chunkTopicMessages(input, 350);
    for (const request of requests) {
      const bytes = request.flatMap((t) => t.messages).reduce((sum, m) => sum + (m.value as Buffer).length + 2 + 24, 0);
      expect(bytes).toBeLessThanOrEqual(350);
    }
    const keysOf = (topic: string) => requests.flatMap((r) => r.filter((t) => t.topic === topic).flatMap((t) => t.messages.map((m) => m.key)));
    expect(keysOf('a')).toEqual(input[0]!.messages.map((m) => m.key));
    expect(keysOf('b')).toEqual(input[1]!.messages.map((m) => m.key));
  });

  it('sends a message larger than the limit on its own rather than dropping it', () => {
    const requests = chunkTopicMessages([{ topic: 'a', messages: [message('small', 10), message('big', 5000), message('after', 10)] }], 1000);
    expect(requests.map((r) => r.flatMap((t) => t.messages.map((m) => m.key)))).toEqual([['small'], ['big'], ['after']]);
  });
});
