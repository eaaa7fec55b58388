#!/usr/bin/python3
"""Fixtures for tsgrad's torchvision architectures (tests/models/torchvision.test.ts), made with
Debian's python3-torchvision 0.14. No real weights are committed: every parameter and buffer is filled
with a formula that the test recomputes in TypeScript (see fill() below and tests/models/tv-fill.ts);
only the state-dict names/shapes and the logits for a formula input are written.

    /usr/bin/python3 tools/gen_torch_vision_fixtures.py

Writes tests/fixtures/models/torchvision.json.
"""
import json
import math
import os

import torch
import torchvision

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'models', 'torchvision.json')
VGG_HIDDEN = 64  # the 4096-wide classifier would make the test build 100 M parameters for nothing


def fill(model):
    """Tensor k of the state dict (in order), flat index i: base = sin(0.37 i + 1.3 k + 0.5), then
    weights (ndim >= 2) base * 2 / sqrt(fan_in); 1-d weights 1 + 0.2 base; biases 0.05 base;
    running_mean 0.1 base; running_var 1 + 0.5 base; num_batches_tracked untouched. Float64, then float32."""
    with torch.no_grad():
        for k, (name, t) in enumerate(model.state_dict().items()):
            if name.endswith('num_batches_tracked'):
                continue
            i = torch.arange(t.numel(), dtype=torch.float64)
            base = torch.sin(0.37 * i + 1.3 * k + 0.5)
            leaf = name.rsplit('.', 1)[-1]
            if leaf == 'weight' and t.dim() >= 2:
                v = base * 2 / math.sqrt(t.numel() / t.shape[0])
            elif leaf == 'weight':
                v = 1 + 0.2 * base
            elif leaf == 'bias':
                v = 0.05 * base
            elif leaf == 'running_mean':
                v = 0.1 * base
            elif leaf == 'running_var':
                v = 1 + 0.5 * base
            else:
                raise ValueError(name)
            t.copy_(v.reshape(t.shape).to(t.dtype))


def make_input(shape):
    n = 1
    for s in shape:
        n *= s
    j = torch.arange(n, dtype=torch.float64)
    return torch.sin(0.05 * j + 0.3).reshape(shape).to(torch.float32)


def vgg(name):
    m = getattr(torchvision.models, name)()
    full = [[k, list(v.shape)] for k, v in m.state_dict().items()]
    m.classifier = torch.nn.Sequential(
        torch.nn.Linear(512 * 7 * 7, VGG_HIDDEN), torch.nn.ReLU(True), torch.nn.Dropout(),
        torch.nn.Linear(VGG_HIDDEN, VGG_HIDDEN), torch.nn.ReLU(True), torch.nn.Dropout(),
        torch.nn.Linear(VGG_HIDDEN, 1000))
    return m, full


torch.set_num_threads(1)
cases = []
for name in ['resnet18', 'resnet34', 'resnet50', 'vgg11_bn', 'vgg16_bn', 'mobilenet_v2']:
    if name.startswith('vgg'):
        m, full = vgg(name)
    else:
        m = getattr(torchvision.models, name)()
        full = [[k, list(v.shape)] for k, v in m.state_dict().items()]
    fill(m)
    m.eval()
    shape = [1, 3, 64, 64]
    with torch.no_grad():
        y = m(make_input(shape))
    cases.append({
        'arch': name,
        'fullStateDict': full,
        'numParameters': sum(p.numel() for p in getattr(torchvision.models, name)().parameters()),
        'testStateDict': [[k, list(v.shape)] for k, v in m.state_dict().items()],
        'vggHidden': VGG_HIDDEN if name.startswith('vgg') else None,
        'inputShape': shape,
        'logits': [float('%.9g' % v) for v in y.flatten().tolist()],
        'logitsShape': list(y.shape),
    })
    print(name, 'max |logit|', float(y.abs().max()))
# ReLU6 (new in tsgrad for MobileNetV2): values and the gradient of sum(w * relu6(x)), float64.
x = torch.linspace(-3, 9, 25, dtype=torch.float64) + 0.01
x.requires_grad_(True)
w = torch.cos(torch.arange(25, dtype=torch.float64))
(w * torch.nn.functional.relu6(x)).sum().backward()
relu6 = {'x': x.detach().tolist(), 'w': w.tolist(), 'y': torch.nn.functional.relu6(x).detach().tolist(), 'grad': x.grad.tolist()}
# Bilinear resize (align_corners=False, no antialias) down and up, and the ImageNet eval transform.
img = (torch.sin(torch.arange(3 * 10 * 14, dtype=torch.float64) * 0.7) * 0.5 + 0.5).reshape(1, 3, 10, 14).float()
down = torch.nn.functional.interpolate(img, size=(7, 9), mode='bilinear', align_corners=False)
up = torch.nn.functional.interpolate(img, size=(23, 31), mode='bilinear', align_corners=False)
big = torch.nn.functional.interpolate(img, size=(12, 16), mode='bilinear', align_corners=False)  # Resize(12) of 10x14
t = torchvision.transforms.functional.center_crop(big, 8)
t = torchvision.transforms.functional.normalize(t, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
resize = {'input': img.flatten().tolist(), 'down': down.flatten().tolist(), 'up': up.flatten().tolist(), 'preprocess': t.flatten().tolist()}
with open(OUT, 'w') as f:
    json.dump({'torchvision': torchvision.__version__, 'cases': cases, 'relu6': relu6, 'resize': resize}, f)
print('wrote', OUT, os.path.getsize(OUT), 'bytes')
