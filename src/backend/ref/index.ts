import type { Backend } from '../backend.js';
import { registerBackend } from '../registry.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv.js';
import { activationBackward, binary, copy, fill, unary, where } from './elementwise.js';
import { gather, scatterAdd } from './gather.js';
import { matmul } from './matmul.js';
import { channelAffine, channelGradSums, channelStats } from './norm.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from './pool.js';
import { argReduce, reduce } from './reduce.js';
import { softmax, softmaxBackward } from './softmax.js';

/** The reference backend: plain, readable TypeScript; the oracle every fast backend is tested against. */
export const refBackend: Backend = {
  name: 'ref',
  copy, fill, unary, binary, where, activationBackward, reduce, argReduce, softmax, softmaxBackward, matmul,
  conv2d, conv2dBackwardInput, conv2dBackwardWeight,
  maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward,
  gather, scatterAdd,
  channelStats, channelGradSums, channelAffine,
};

registerBackend('ref', () => refBackend);
