/** PyTorch's torch.save format: read and write state dicts. */
export { parseTorch, serializeTorch, TorchFormatError } from './format.js';
export { loadTorch, saveTorch } from './file.js';
export { readZip, writeZip, crc32, ZipError, type ZipEntry } from './zip.js';
