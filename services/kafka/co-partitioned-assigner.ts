import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

/**
 * Which partitions each member gets when partition p of every subscribed
 * topic must go to one member: partition numbers are dealt round-robin over
 * the members in id order, and a member gets its numbers on every topic that
 * has them. Keyed alike (same key, same partition count), two topics then
 * bring a key's records from both to the same member.
 */
export function coPartitionedAssignment(memberIds: readonly string[], partitionsByTopic: ReadonlyMap<string, readonly number[]>): Map<string, Record<string, number[]>> {
  const members = [...memberIds].sort();
  const numbers = [...new Set([...partitionsByTopic.values()].flat())].sort((a, b) => a - b);
  const result = new Map<string, Record<string, number[]>>(members.map((id) => [id, {}]));
  numbers.forEach((partition, i) => {
    const member = result.get(members[i % members.length] ?? '');
    if (!member) return;
    for (const [topic, partitions] of partitionsByTopic) {
      if (partitions.includes(partition)) (member[topic] ??= []).push(partition);
    }
  });
  return result;
}

/** kafkajs partition assigner for coPartitionedAssignment; every member of the group must use it. */
export const CoPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'KcostCoPartitionedAssigner',
  version: 0,
  async assign({ members, topics }) {
    const partitionsByTopic = new Map(topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId)]));
    return [...coPartitionedAssignment(members.map((m) => m.memberId), partitionsByTopic)].map(([memberId, assignment]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return { name: 'KcostCoPartitionedAssigner', metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
  },
});
