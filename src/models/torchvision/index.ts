/** torchvision architectures with torchvision's state-dict names: ResNet-18/34/50, VGG-11/16 with batch norm, MobileNetV2. */
import { BasicBlock, Bottleneck, TorchvisionResNet, type TorchvisionOptions } from './resnet.js';
import { TorchvisionVGG, VGG_CONFIGS, type VGGOptions } from './vgg.js';
import { TorchvisionMobileNetV2, type MobileNetV2Options } from './mobilenet.js';

export { BasicBlock, Bottleneck, TorchvisionResNet, TorchvisionVGG, VGG_CONFIGS, TorchvisionMobileNetV2, type TorchvisionOptions, type VGGOptions, type MobileNetV2Options };
export { InvertedResidual } from './mobilenet.js';

import { loadWeightsInto, WeightsError, type FetchWeightsOptions, type WeightsSpec } from './weights.js';
import type { Module } from '../../nn/module.js';

export { IMAGENET_CLASSES } from './imagenet-classes.js';
export { IMAGENET_MEAN, IMAGENET_STD, resizeBilinear, resizeShorter, centerCrop, imagenetPreprocess, type PreprocessOptions } from './preprocess.js';
export {
  TORCHVISION_WEIGHTS, WeightsError, weightsEntry, weightsCacheDir, fetchWeights, loadWeightsInto, readStateDictFile,
  type WeightsEntry, type WeightsName, type WeightsSpec, type FetchWeightsOptions,
} from './weights.js';

/** Options that load pretrained weights: the builder then returns a Promise. */
export interface PretrainedOptions extends FetchWeightsOptions {
  /** 'IMAGENET1K_V1', 'IMAGENET1K_V2', 'DEFAULT', or the path of a .pth / .safetensors state dict. */
  weights: WeightsSpec;
}

function withWeights<M extends Module, O extends { numClasses?: number }>(arch: string, make: (o: O) => M, opts: O & Partial<PretrainedOptions>): M | Promise<M> {
  if (opts.weights === undefined) return make(opts);
  if (opts.numClasses !== undefined && opts.numClasses !== 1000) {
    return Promise.reject(new WeightsError(`${arch}: pretrained weights have 1000 classes; load them, then replace the head (numClasses ${opts.numClasses} given)`));
  }
  return loadWeightsInto(make(opts), arch, opts.weights, opts);
}

/** torchvision.models.resnet18 (11.7 M parameters). */
export function resnet18(opts: TorchvisionOptions & PretrainedOptions): Promise<TorchvisionResNet>;
export function resnet18(opts?: TorchvisionOptions): TorchvisionResNet;
export function resnet18(opts: TorchvisionOptions & Partial<PretrainedOptions> = {}): TorchvisionResNet | Promise<TorchvisionResNet> {
  return withWeights('resnet18', (o: TorchvisionOptions) => new TorchvisionResNet('resnet18', BasicBlock, [2, 2, 2, 2], o), opts);
}

/** torchvision.models.resnet34 (21.8 M parameters). */
export function resnet34(opts: TorchvisionOptions & PretrainedOptions): Promise<TorchvisionResNet>;
export function resnet34(opts?: TorchvisionOptions): TorchvisionResNet;
export function resnet34(opts: TorchvisionOptions & Partial<PretrainedOptions> = {}): TorchvisionResNet | Promise<TorchvisionResNet> {
  return withWeights('resnet34', (o: TorchvisionOptions) => new TorchvisionResNet('resnet34', BasicBlock, [3, 4, 6, 3], o), opts);
}

/** torchvision.models.resnet50 (25.6 M parameters). */
export function resnet50(opts: TorchvisionOptions & PretrainedOptions): Promise<TorchvisionResNet>;
export function resnet50(opts?: TorchvisionOptions): TorchvisionResNet;
export function resnet50(opts: TorchvisionOptions & Partial<PretrainedOptions> = {}): TorchvisionResNet | Promise<TorchvisionResNet> {
  return withWeights('resnet50', (o: TorchvisionOptions) => new TorchvisionResNet('resnet50', Bottleneck, [3, 4, 6, 3], o), opts);
}

/** torchvision.models.vgg11_bn (132.9 M parameters). */
export function vgg11_bn(opts: VGGOptions & PretrainedOptions): Promise<TorchvisionVGG>;
export function vgg11_bn(opts?: VGGOptions): TorchvisionVGG;
export function vgg11_bn(opts: VGGOptions & Partial<PretrainedOptions> = {}): TorchvisionVGG | Promise<TorchvisionVGG> {
  return withWeights('vgg11_bn', (o: VGGOptions) => new TorchvisionVGG('vgg11_bn', VGG_CONFIGS.vgg11, o), opts);
}

/** torchvision.models.vgg16_bn (138.4 M parameters). */
export function vgg16_bn(opts: VGGOptions & PretrainedOptions): Promise<TorchvisionVGG>;
export function vgg16_bn(opts?: VGGOptions): TorchvisionVGG;
export function vgg16_bn(opts: VGGOptions & Partial<PretrainedOptions> = {}): TorchvisionVGG | Promise<TorchvisionVGG> {
  return withWeights('vgg16_bn', (o: VGGOptions) => new TorchvisionVGG('vgg16_bn', VGG_CONFIGS.vgg16, o), opts);
}

/** torchvision.models.mobilenet_v2 (3.5 M parameters). */
export function mobilenet_v2(opts: MobileNetV2Options & PretrainedOptions): Promise<TorchvisionMobileNetV2>;
export function mobilenet_v2(opts?: MobileNetV2Options): TorchvisionMobileNetV2;
export function mobilenet_v2(opts: MobileNetV2Options & Partial<PretrainedOptions> = {}): TorchvisionMobileNetV2 | Promise<TorchvisionMobileNetV2> {
  return withWeights('mobilenet_v2', (o: MobileNetV2Options) => new TorchvisionMobileNetV2(o), opts);
}
