/** torchvision architectures with torchvision's state-dict names: ResNet-18/34/50, VGG-11/16 with batch norm, MobileNetV2. */
import { BasicBlock, Bottleneck, TorchvisionResNet, type TorchvisionOptions } from './resnet.js';
import { TorchvisionVGG, VGG_CONFIGS, type VGGOptions } from './vgg.js';
import { TorchvisionMobileNetV2, type MobileNetV2Options } from './mobilenet.js';

export { BasicBlock, Bottleneck, TorchvisionResNet, TorchvisionVGG, VGG_CONFIGS, TorchvisionMobileNetV2, type TorchvisionOptions, type VGGOptions, type MobileNetV2Options };
export { InvertedResidual } from './mobilenet.js';

/** torchvision.models.resnet18 (11.7 M parameters). */
export function resnet18(opts: TorchvisionOptions = {}): TorchvisionResNet {
  return new TorchvisionResNet('resnet18', BasicBlock, [2, 2, 2, 2], opts);
}

/** torchvision.models.resnet34 (21.8 M parameters). */
export function resnet34(opts: TorchvisionOptions = {}): TorchvisionResNet {
  return new TorchvisionResNet('resnet34', BasicBlock, [3, 4, 6, 3], opts);
}

/** torchvision.models.resnet50 (25.6 M parameters). */
export function resnet50(opts: TorchvisionOptions = {}): TorchvisionResNet {
  return new TorchvisionResNet('resnet50', Bottleneck, [3, 4, 6, 3], opts);
}

/** torchvision.models.vgg11_bn (132.9 M parameters). */
export function vgg11_bn(opts: VGGOptions = {}): TorchvisionVGG {
  return new TorchvisionVGG('vgg11_bn', VGG_CONFIGS.vgg11, opts);
}

/** torchvision.models.vgg16_bn (138.4 M parameters). */
export function vgg16_bn(opts: VGGOptions = {}): TorchvisionVGG {
  return new TorchvisionVGG('vgg16_bn', VGG_CONFIGS.vgg16, opts);
}

/** torchvision.models.mobilenet_v2 (3.5 M parameters). */
export function mobilenet_v2(opts: MobileNetV2Options = {}): TorchvisionMobileNetV2 {
  return new TorchvisionMobileNetV2(opts);
}
