/** tsgrad.data: dataset readers, loaders and transforms. */
export { DataError } from './errors.js';
export { readMnist, mnistFiles, type ImageData, type Split } from './mnist.js';
export { readCifar10, cifarFiles, CIFAR10_CLASSES } from './cifar.js';
export { parseIdx, type IdxArray } from './idx.js';
export { readTar, type TarEntry } from './tar.js';
export { downloadFile, type DownloadOptions } from './download.js';
export {
  loadDataset, defaultDataDir, embeddedSubsetDir, downloadMnist, downloadCifar10, extractCifar10,
  CLASSES, MD5, MIRRORS, SUBDIR, NORMALIZATION, type DatasetName, type LoadOptions, type LoadedDataset,
} from './datasets.js';
export { TensorDataset, Subset, randomSplit, isBatchDataset, type Dataset, type BatchDataset } from './dataset.js';
export { defaultCollate, type Collated } from './collate.js';
export { DataLoader, type DataLoaderOptions } from './dataloader.js';
export {
  compose, normalize, randomCrop, randomHorizontalFlip, colorJitter,
  type Transform, type RandomOptions, type RandomCropOptions, type ColorJitterOptions, type JitterRange,
} from './transforms.js';
