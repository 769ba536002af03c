import { describe, expect, it } from 'vitest';
import { coPartitionedAssignment } from './co-partitioned-assigner.js';

const six = [0, 1, 2, 3, 4, 5];

describe('coPartitionedAssignment', () => {
  it.each([1, 2, 3, 4, 5, 7])('gives partition p of both topics to one member, with %i members', (count) => {
    const members = Array.from({ length: count }, (_, i) => `member-${i}`);
    const assignment = coPartitionedAssignment(members, new Map([['internal', six], ['direct', six]]));
    const owners = new Map<string, string[]>();
    for (const [member, topics] of assignment) {
      for (const [topic, partitions] of Object.entries(topics)) for (const p of partitions) owners.set(`${topic}/${p}`, [...(owners.get(`${topic}/${p}`) ?? []), member]);
    }
    for (const p of six) {
      expect(owners.get(`internal/${p}`)).toHaveLength(1);
      expect(owners.get(`direct/${p}`)).toEqual(owners.get(`internal/${p}`));
    }
    // Spread evenly: no member has two partitions more than another.
    const counts = [...assignment.values()].map((topics) => topics.internal?.length ?? 0);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('assigns the same whatever order the members are listed in', () => {
    const topics = new Map([['a', six], ['b', six]]);
    expect(coPartitionedAssignment(['y', 'x', 'z'], topics)).toEqual(coPartitionedAssignment(['z', 'x', 'y'], topics));
  });
});
