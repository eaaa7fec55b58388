#!/usr/bin/env python3
"""Reference values for tests/layers: PyTorch 1.13 (float64) runs the same
networks, losses and SGD steps as src/layers, from the same fixed inputs and
weights, and writes tests/fixtures/layers/torch.json.
Run: /usr/bin/python3 tools/layers_fixtures.py"""
import json, os
import torch

torch.manual_seed(0)
D = torch.float64
out = {'torch_version': torch.__version__}

def L(t):
    return t.detach().tolist()

# 1. MLP 5 -> [4, 3] -> 3, ELU, cross-entropy from logits (mean), one SGD step with weight decay.
x = torch.randn(6, 5, dtype=D)
y = torch.tensor([0, 2, 1, 2, 0, 1])
net = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.ELU(), torch.nn.Linear(4, 3), torch.nn.ELU(), torch.nn.Linear(3, 3)).to(D)
params0 = {k: L(v) for k, v in net.state_dict().items()}
xr = x.clone().requires_grad_(True)
logits = net(xr)
loss = torch.nn.functional.cross_entropy(logits, y)
loss.backward()
grads = {k: L(p.grad) for k, p in net.named_parameters()}
opt = torch.optim.SGD(net.parameters(), lr=0.1, weight_decay=0.01)
opt.step()
out['mlp_ce'] = {
    'x': L(x), 'labels': y.tolist(), 'params': params0, 'logits': L(logits), 'loss': loss.item(),
    'grads': grads, 'dx': L(xr.grad), 'lr': 0.1, 'weight_decay': 0.01,
    'params_after_sgd': {k: L(v) for k, v in net.state_dict().items()},
}

# 2. Per-sample gradients of net.0 (Linear 5->4) for the same loss: loop over samples,
#    each sample's share of the mean loss (loss_n / N), so they sum to the batch gradient.
net2 = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.ELU(), torch.nn.Linear(4, 3), torch.nn.ELU(), torch.nn.Linear(3, 3)).to(D)
net2.load_state_dict({k: torch.tensor(v, dtype=D) for k, v in params0.items()})
ps_w, ps_b = [], []
for n in range(x.shape[0]):
    net2.zero_grad()
    ln = torch.nn.functional.cross_entropy(net2(x[n:n + 1]), y[n:n + 1]) / x.shape[0]
    ln.backward()
    ps_w.append(L(net2[0].weight.grad)); ps_b.append(L(net2[0].bias.grad))
out['per_sample'] = {'weight': ps_w, 'bias': ps_b}

# 3. Softmax + categorical cross-entropy on soft targets.
z = torch.randn(4, 3, dtype=D, requires_grad=True)
t = torch.softmax(torch.randn(4, 3, dtype=D), 1)
p = torch.softmax(z, 1)
p.retain_grad()
cce = -(t * torch.log(p)).sum() / 4
cce.backward()
out['softmax_cce'] = {'z': L(z), 'target': L(t), 'probs': L(p), 'loss': cce.item(), 'dprobs': L(p.grad), 'dz': L(z.grad)}

# 4. Sigmoid output with MSE and summed squared error; LeakyReLU/Tanh in between.
a = torch.randn(5, 2, dtype=D, requires_grad=True)
tgt = torch.rand(5, 1, dtype=D)
lin = torch.nn.Linear(2, 1).to(D)
h = torch.sigmoid(lin(torch.tanh(torch.nn.functional.leaky_relu(a, 0.2))))
mse = torch.nn.functional.mse_loss(h, tgt)
ga = torch.autograd.grad(mse, [a, lin.weight, lin.bias], retain_graph=True)
sse = torch.nn.functional.mse_loss(h, tgt, reduction='sum')
gs = torch.autograd.grad(sse, [a])
out['sigmoid_mse'] = {
    'x': L(a), 'target': L(tgt), 'weight': L(lin.weight), 'bias': L(lin.bias), 'out': L(h),
    'mse': mse.item(), 'dx_mse': L(ga[0]), 'dweight_mse': L(ga[1]), 'dbias_mse': L(ga[2]),
    'sse': sse.item(), 'dx_sse': L(gs[0]),
}

path = os.path.join(os.path.dirname(__file__), '..', 'tests', 'fixtures', 'layers', 'torch.json')
tmp = path + '.tmp'
with open(tmp, 'w') as f:
    json.dump(out, f)
os.replace(tmp, path)
print('wrote', os.path.normpath(path))
