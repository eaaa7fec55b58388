/** tsgrad.io: safetensors files, model state dicts, optimizer state as JSON, atomic writes. */
export {
  SafetensorsError, serializeSafetensors, parseSafetensors, saveSafetensors, loadSafetensors,
  type SafetensorsMetadata, type SafetensorsContent,
} from './safetensors.js';
export { writeFileAtomic } from '../core/atomic-write.js';
export {
  saveStateDict, loadStateDict, tensorToJSON, tensorFromJSON, optimizerStateToJSON, optimizerStateFromJSON,
  type TensorJSON, type OptimizerStateJSON,
} from './state-dict.js';
export { loadTorch, saveTorch, parseTorch, serializeTorch, TorchFormatError } from './torch/index.js';
