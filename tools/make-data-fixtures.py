#!/usr/bin/env python3
"""Reference values for tests/data: label statistics and pixel values of the official MNIST and
Fashion-MNIST files (read byte by byte with the standard library, no tsgrad code), and a miniature
CIFAR-10 binary archive in the official layout (written with Python's tarfile and gzip).

Usage: /usr/bin/python3 tools/make-data-fixtures.py [SHARED_DATASETS_DIR]
Writes tests/fixtures/data/idx-stats.json, cifar-mini.json and cifar-10-binary-mini.tar.gz."""
import gzip, hashlib, io, json, os, struct, sys, tarfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, '..', 'shared', 'datasets')
out = os.path.join(root, 'tests', 'fixtures', 'data')
os.makedirs(out, exist_ok=True)

stats = {}
for ds in ['mnist', 'fashion-mnist']:
    for split, prefix in [('train', 'train'), ('test', 't10k')]:
        img = gzip.open(os.path.join(shared, ds, f'{prefix}-images-idx3-ubyte.gz')).read()
        lbl = gzip.open(os.path.join(shared, ds, f'{prefix}-labels-idx1-ubyte.gz')).read()
        magic, n, rows, cols = struct.unpack('>IIII', img[:16])
        assert magic == 0x803 and rows == 28 and cols == 28
        lmagic, ln = struct.unpack('>II', lbl[:8])
        assert lmagic == 0x801 and ln == n
        labels = lbl[8:]
        counts = [labels.count(c) for c in range(10)]
        def image(i):
            return img[16 + i * 784: 16 + (i + 1) * 784]
        picks = {}
        for i in [0, 1, n - 1]:
            im = image(i)
            picks[str(i)] = {
                'label': labels[i],
                'byteSum': sum(im),
                'row14': list(im[14 * 28: 15 * 28]),
                'argmaxFlat': max(range(784), key=lambda k: (im[k], -k)),
            }
        total = sum(img[16:])
        sq = sum(v * v for v in img[16:])
        mean = total / (n * 784 * 255)
        std = (sq / (n * 784 * 255 * 255) - mean * mean) ** 0.5
        stats[f'{ds}/{split}'] = {
            'count': n,
            'labelCounts': counts,
            'first20Labels': list(labels[:20]),
            'meanPixel': mean,
            'stdPixel': std,
            'images': picks,
        }
with open(os.path.join(out, 'idx-stats.json'), 'w') as f:
    json.dump(stats, f, indent=1)

# A miniature CIFAR-10 binary archive: the official member names, records of 1 label byte + 3072
# pixel bytes (1024 R, 1024 G, 1024 B, rows top first); R records per batch.
R = 3
def pixel(batch, rec, ch, y, x):
    return (batch * 53 + rec * 29 + ch * 101 + y * 7 + x * 3) % 256
def label(batch, rec):
    return (batch * 3 + rec * 7) % 10
names = [f'data_batch_{b}.bin' for b in range(1, 6)] + ['test_batch.bin']
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode='w', format=tarfile.GNU_FORMAT) as tar:
    def add(name, data, mode=0o644):
        info = tarfile.TarInfo(name)
        info.size = len(data); info.mtime = 1234567890; info.mode = mode
        tar.addfile(info, io.BytesIO(data))
    d = tarfile.TarInfo('cifar-10-batches-bin'); d.type = tarfile.DIRTYPE; d.mtime = 1234567890; d.mode = 0o755
    tar.addfile(d)
    for b, name in enumerate(names):
        recs = bytearray()
        for r in range(R):
            recs.append(label(b, r))
            recs.extend(pixel(b, r, ch, y, x) for ch in range(3) for y in range(32) for x in range(32))
        add(f'cifar-10-batches-bin/{name}', bytes(recs))
    add('cifar-10-batches-bin/batches.meta.txt', b'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n')
    # A long member name exercises the GNU long-name extension of the reader.
    add('cifar-10-batches-bin/' + 'readme-with-a-deliberately-very-long-name-' + 'x' * 80 + '.html', b'<html>mini</html>')
raw = buf.getvalue()
gz = io.BytesIO()
with gzip.GzipFile(fileobj=gz, mode='wb', mtime=0) as g:
    g.write(raw)
archive = gz.getvalue()
with open(os.path.join(out, 'cifar-10-binary-mini.tar.gz'), 'wb') as f:
    f.write(archive)
train_labels = [label(b, r) for b in range(5) for r in range(R)]
test_labels = [label(5, r) for r in range(R)]
probe = []
for (split, b, r, n) in [('train', 0, 0, 0), ('train', 4, 2, 14), ('test', 5, 1, 1)]:
    for (ch, y, x) in [(0, 0, 0), (1, 5, 9), (2, 31, 31)]:
        probe.append({'split': split, 'n': n, 'c': ch, 'y': y, 'x': x, 'value': pixel(b, r, ch, y, x) / 255})
with open(os.path.join(out, 'cifar-mini.json'), 'w') as f:
    json.dump({'md5': hashlib.md5(archive).hexdigest(), 'recordsPerBatch': R, 'trainLabels': train_labels,
               'testLabels': test_labels, 'probes': probe,
               'longName': 'cifar-10-batches-bin/readme-with-a-deliberately-very-long-name-' + 'x' * 80 + '.html'}, f, indent=1)
print(json.dumps({k: (v['count'], v['labelCounts']) for k, v in stats.items()}))
