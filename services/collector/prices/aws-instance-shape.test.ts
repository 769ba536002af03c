import { describe, expect, it } from 'vitest';
import { awsInstanceShape } from './aws-instance-shape.js';

const GIB = 1024 ** 3;

describe('awsInstanceShape', () => {
  it.each<[string, Record<string, unknown>, ReturnType<typeof awsInstanceShape>]>([
    ['an Intel type', { vcpu: '2', memory: '8 GiB', processorArchitecture: '64-bit', physicalProcessor: 'Intel Xeon Platinum 8175' }, { vcpus: 2, memoryBytes: 8 * GIB, gpus: 0, architecture: 'amd64' }],
    ['an AMD type', { vcpu: '8', memory: '16 GiB', processorArchitecture: '64-bit', physicalProcessor: 'AMD EPYC 7R32' }, { vcpus: 8, memoryBytes: 16 * GIB, gpus: 0, architecture: 'amd64' }],
    ['a Graviton2 type', { vcpu: '2', memory: '8 GiB', processorArchitecture: '64-bit', physicalProcessor: 'AWS Graviton2 Processor' }, { vcpus: 2, memoryBytes: 8 * GIB, gpus: 0, architecture: 'arm64' }],
    ['a Graviton3 type', { vcpu: '4', memory: '8 GiB', processorArchitecture: '64-bit', physicalProcessor: 'AWS Graviton3 Processor' }, { vcpus: 4, memoryBytes: 8 * GIB, gpus: 0, architecture: 'arm64' }],
    ['a burstable type that can run 32-bit', { vcpu: '1', memory: '0.5 GiB', processorArchitecture: '32-bit or 64-bit', physicalProcessor: 'Intel Xeon Family' }, { vcpus: 1, memoryBytes: 0.5 * GIB, gpus: 0, architecture: 'amd64' }],
    ['a GPU type', { vcpu: '4', memory: '16 GiB', gpu: '1', processorArchitecture: '64-bit', physicalProcessor: 'Intel Xeon Family' }, { vcpus: 4, memoryBytes: 16 * GIB, gpus: 1, architecture: 'amd64' }],
    ['memory with a thousands comma', { vcpu: '448', memory: '12,288 GiB', physicalProcessor: 'Intel Xeon Platinum 8176M' }, { vcpus: 448, memoryBytes: 12_288 * GIB, gpus: 0, architecture: 'amd64' }],
    ['a processor it cannot place', { vcpu: '4', memory: '16 GiB', processorArchitecture: '64-bit' }, { vcpus: 4, memoryBytes: 16 * GIB, gpus: 0, architecture: null }],
    ['unreadable attributes', { vcpu: 'NA', memory: '16 GB', gpu: 'NA' }, { vcpus: null, memoryBytes: null, gpus: null, architecture: null }],
    ['no attributes at all (nothing known, not even the GPUs)', {}, { vcpus: null, memoryBytes: null, gpus: null, architecture: null }],
  ])('reads %s', (_, attributes, shape) => {
    expect(awsInstanceShape(attributes)).toEqual(shape);
  });
});
