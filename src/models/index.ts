// Model zoo: CNN, residual blocks, ResNet, the pre-activation VGG ConvNet, and the custom network.
export * from './common.js';
export * from './conv-classifier.js';
export * from './residual.js';
export * from './resnet.js';
export * from './convnet.js';
export * from './custom.js';
export * from './torchvision/index.js';
export * from './registry.js';
