#!/usr/bin/env python3
"""The reference for `catsdogs bench-train --workflow`: the default training workflow in PyTorch from Python.

The same work as `./catsdogs train --data ../shared/data/cats_and_dogs_filtered` with its defaults:

1. Feature extraction: the ImageNet base frozen, BatchNorm folded into its convolutions, eval mode; the
   pooled 1280-d features of every training and validation image cached once; then 10 epochs of the
   Dense(1) head on the cache, RMSprop lr 1e-4 (alpha 0.9, eps 1e-7), validation after each.
2. Fine-tuning from Keras layer 100: the frozen prefix up to the last cut point at or before it (the end
   of block_10, Keras layer 98, as the trainer's cutPointAtOrBefore) folded and cached once; then 10
   epochs of the rest (BatchNorm in inference mode, its gamma and beta trained, as Keras does) on the
   cache, RMSprop lr 1e-5, validation after each.

Weights: the same ONNX file as the Java trainer (models/mobilenet_v2_1.0_224_int8_per_tensor.onnx: int8
QDQ weights, BatchNorm already folded into conv biases, cross-layer-equalized ReLU6 ceilings), read the
way MobileNetV2Weights reads it, into torchvision's MobileNetV2 with Keras' padding (bottom/right before
the stride-2 convolutions). Needs Debian's python3-onnx besides python3-torch and python3-torchvision.

Images: JPEGs decoded scaled as the Java side does (PIL's draft mode asks libjpeg for 1/2, 1/4 or 1/8
size when that still covers 160x160), bilinear resize with half-pixel centres to 160x160 (no
antialiasing, as OpenCV's INTER_LINEAR), x / 127.5 - 1, NCHW. Decoding runs in a DataLoader with as
many worker processes as threads, as the Java BatchLoader runs one decoding thread per core, during the
cache builds (the only time images are read). Batches of 32, shuffled every epoch from the seed.

Run it with jemalloc preloaded, as bench-train runs it (the ./catsdogs launcher's LD_PRELOAD and MALLOC_CONF
are inherited): with glibc's malloc, PyTorch 1.13's forward here is about 2x slower (large activations
mapped and faulted in afresh each time). Without it, the script says so on stderr.

Times exclude reading the weights, as bench-train's do on the Java side. Prints a line per epoch and
phase, then one JSON line with the figures (bench-train parses the last line).

    workflow.py [--threads 2] [--data DIR] [--weights FILE] [--epochs 10] [--fine-tune-epochs 10]
                [--fine-tune-at 100] [--batch-size 32] [--every K]
"""
import argparse
import copy
import json
import os
import sys
import time

try:
    import numpy as np
    import onnx
    import onnx.numpy_helper
    import torch
    import torch.nn.functional as F
    import torch.nn.utils.fusion
    import torchvision
    from PIL import Image
except ImportError as missing:  # one line for bench-train, which says how to install it
    sys.exit(f"{missing.name} is not installed for {sys.executable}")

from train_step import freeze_before, keras_layer_parameters

IMAGE_SIZE = 160
KERAS_BN_EPSILON = 1e-3
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# --- weights -----------------------------------------------------------------------------------------

class OnnxWeights:
    """Constants of an ONNX graph (initializers, dequantized through DequantizeLinear) and its nodes."""

    def __init__(self, path):
        self.path = path
        self.graph = onnx.load(path).graph
        self.values = {t.name: onnx.numpy_helper.to_array(t).astype(np.float32) for t in self.graph.initializer}
        self.consumers = {}
        for node in self.graph.node:
            for name in node.input:
                self.consumers.setdefault(name, []).append(node)
        for node in self.graph.node:  # QDQ constants: x_float = (x - zero_point) * scale
            if node.op_type == "DequantizeLinear" and all(n in self.values for n in node.input[:2]):
                x, scale = self.values[node.input[0]], self.values[node.input[1]]
                zero = self.values[node.input[2]] if len(node.input) > 2 and node.input[2] else 0
                axis = next((a.i for a in node.attribute if a.name == "axis"), 1)
                if np.ndim(scale) == 1 and x.ndim > 1:  # per channel
                    shape = [1] * x.ndim
                    shape[axis] = -1
                    scale, zero = scale.reshape(shape), np.reshape(zero, shape) if np.ndim(zero) else zero
                self.values[node.output[0]] = ((x - zero) * scale).astype(np.float32)
        outputs = {o.name for o in self.graph.output}
        # A Conv writing a graph output is a head on the features, not a layer of the backbone.
        self.convs = [n for n in self.graph.node if n.op_type == "Conv" and n.output[0] not in outputs]

    def consumer_skipping_qdq(self, name):
        users = self.consumers.get(name, [])
        while len(users) == 1 and users[0].op_type in ("QuantizeLinear", "DequantizeLinear"):
            users = self.consumers.get(users[0].output[0], [])
        return users[0] if len(users) == 1 else None

    def conv(self, node):
        """(weight [out, in/group, kh, kw], bias [out], per-channel ReLU6 ceiling or None) of a Conv node."""
        weight = self.values[node.input[1]]
        bias = self.values[node.input[2]] if len(node.input) > 2 and node.input[2] else np.zeros(weight.shape[0], np.float32)
        after = self.consumer_skipping_qdq(node.output[0])
        if after is not None and after.op_type == "BatchNormalization":
            sys.exit("%s: Conv %s is followed by BatchNormalization; workflow.py reads only the shipped file's"
                     " folded layout" % (self.path, node.name))
        ceiling = None
        if after is not None and after.op_type == "Relu":
            low = self.consumer_skipping_qdq(after.output[0])
            if low is not None and low.op_type == "Min":
                c = low.input[1] if low.input[1] in self.values else low.input[0]
                ceiling = np.broadcast_to(self.values[c].reshape(-1), (weight.shape[0],)).copy()
        return weight.copy(), bias.copy(), ceiling

    def keras_padding(self):
        """Whether the first convolution pads bottom/right only (Keras) rather than all sides (torchvision)."""
        first = self.convs[0]
        pads = next((list(a.ints) for a in first.attribute if a.name == "pads"), [0, 0, 0, 0])
        return pads[0] != pads[2] or pads[1] != pads[3] or any(n.op_type == "Pad" for n in self.graph.node)


def undo_equalization(convs):
    """Cross-layer equalization undone, as MobileNetV2Weights.foldClipCeilings: a depthwise channel k
    clipped at c_k was scaled by s_k = c_k / 6 and the next (project) conv's input channel k by 1 / s_k."""
    for i, (weight, bias, ceiling) in enumerate(convs):
        if ceiling is None:
            continue
        project = convs[i + 1][0]
        s = ceiling / 6.0
        project *= np.maximum(s, 0).reshape(1, -1, 1, 1)
        dead = s <= 0
        live = ~dead
        weight[live] /= s[live].reshape(-1, 1, 1, 1)
        bias[live] /= s[live]
        weight[dead] = 0  # clip(x, 0, 0): ReLU6 of a negative bias outputs 0 as well
        bias[dead] = -1


def pad_bottom_right(conv, _inputs):
    return (F.pad(_inputs[0], (0, 1, 0, 1)),)  # Keras' correct_pad at even sizes, then a "valid" conv


def mobilenet_v2(weights_path):
    """torchvision's MobileNetV2 features with the file's weights, BatchNorm in Keras' form (eps 1e-3, an
    identity until fine-tuning trains its gamma and beta), and Keras padding when the file has it."""
    onnx_weights = OnnxWeights(weights_path)
    convs = [onnx_weights.conv(n) for n in onnx_weights.convs]
    undo_equalization(convs)
    features = torchvision.models.mobilenet_v2().features
    modules = list(features.modules())
    pairs = [(m, modules[i + 1]) for i, m in enumerate(modules) if isinstance(m, torch.nn.Conv2d)]
    if len(pairs) != len(convs):
        sys.exit("%s: %d Conv nodes; MobileNetV2 has %d convolutions" % (weights_path, len(convs), len(pairs)))
    keras = onnx_weights.keras_padding()
    with torch.no_grad():
        for (conv, bn), (weight, bias, _) in zip(pairs, convs):
            if tuple(conv.weight.shape) != weight.shape:
                sys.exit("%s: Conv of shape %s where MobileNetV2 expects %s"
                         % (weights_path, weight.shape, tuple(conv.weight.shape)))
            assert isinstance(bn, torch.nn.BatchNorm2d)
            conv.weight.copy_(torch.from_numpy(weight))
            bn.eps = KERAS_BN_EPSILON
            bn.weight.fill_(1)
            bn.bias.copy_(torch.from_numpy(bias))
            bn.running_mean.zero_()
            bn.running_var.fill_(1 - KERAS_BN_EPSILON)
            if keras and conv.stride[0] == 2:
                conv.padding = (0, 0)
                conv.register_forward_pre_hook(pad_bottom_right)
    model = torch.nn.Module()
    model.features = features  # the attribute train_step.py's keras_layer_parameters reads
    return model


def folded(modules):
    """A copy of `modules` (eval mode) with every Conv2d + BatchNorm2d pair folded into one Conv2d."""
    out = copy.deepcopy(modules).eval()

    def fold(parent):
        children = list(parent.named_children())
        for (name, child), (next_name, after) in zip(children, children[1:]):
            if isinstance(child, torch.nn.Conv2d) and isinstance(after, torch.nn.BatchNorm2d):
                setattr(parent, name, torch.nn.utils.fusion.fuse_conv_bn_eval(child, after))
                setattr(parent, next_name, torch.nn.Identity())
        for _, child in parent.named_children():
            fold(child)

    fold(out)
    for p in out.parameters():
        p.requires_grad_(False)
    return out


def cache_cut(model, layer):
    """How many torchvision feature blocks end at or before the Keras layer `layer`: the last cut point a
    cache can stop at (no residual crosses it), as the trainer's MobileNetV2.cutPointAtOrBefore."""
    index_of = {id(p): i for i, params in keras_layer_parameters(model).items() for p in params}
    blocks = 0
    for k, block in enumerate(model.features):
        first_after = max(index_of[id(p)] for p in block.parameters()) + 1
        if not hasattr(block, "use_res_connect"):
            first_after += 1  # conv + BN + ReLU (the stem, Conv_1): the ReLU layer follows the BN
        elif block.use_res_connect:
            first_after += 1  # the block's Add layer follows project_BN
        if first_after <= layer:
            blocks = k + 1
    return blocks


# --- data --------------------------------------------------------------------------------------------

def image_files(data, split, every):
    classes = sorted(d for d in os.listdir(os.path.join(data, split)) if not d.startswith("."))
    samples = []
    for label, name in enumerate(classes):
        folder = os.path.join(data, split, name)
        samples += [(os.path.join(folder, f), label) for f in sorted(os.listdir(folder))
                    if f.lower().endswith((".jpg", ".jpeg", ".png"))]
    return samples[::every]


class Images(torch.utils.data.Dataset):
    def __init__(self, samples):
        self.samples = samples

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, i):
        path, label = self.samples[i]
        with Image.open(path) as image:
            image.draft("RGB", (IMAGE_SIZE, IMAGE_SIZE))  # libjpeg's scaled decode, as ours
            pixels = np.array(image.convert("RGB"))
        x = torch.from_numpy(pixels).permute(2, 0, 1).unsqueeze(0).float()
        x = F.interpolate(x, size=(IMAGE_SIZE, IMAGE_SIZE), mode="bilinear", align_corners=False)
        return x[0] / 127.5 - 1, label


def cache(prefix, samples, threads, batch_size):
    """The outputs of the frozen `prefix` for every image, decoded by `threads` worker processes."""
    loader = torch.utils.data.DataLoader(Images(samples), batch_size=batch_size, num_workers=threads)
    outputs, labels = [], []
    with torch.no_grad():
        for x, y in loader:
            outputs.append(prefix(x))
            labels.append(y)
    return torch.cat(outputs), torch.cat(labels).float()


# --- training ----------------------------------------------------------------------------------------

def run_epoch(suffix, train, optimizer, batch_size, generator):
    x, y = train
    loss_fn = torch.nn.BCEWithLogitsLoss()
    order = torch.randperm(len(y), generator=generator)
    for start in range(0, len(y), batch_size):
        batch = order[start:start + batch_size]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(suffix(x[batch]).reshape(-1), y[batch])
        loss.backward()
        optimizer.step()


def accuracy(suffix, validation, batch_size):
    x, y = validation
    correct = 0
    with torch.no_grad():
        for start in range(0, len(y), batch_size):
            logits = suffix(x[start:start + batch_size]).reshape(-1)
            correct += ((logits > 0).float() == y[start:start + batch_size]).sum().item()
    return correct / len(y)


def phase(name, prefix, suffix, data, epochs, lr, args, generator):
    """Cache build, then `epochs` epochs with validation after each; returns (cache s, total s, accuracies)."""
    start = time.perf_counter()
    train = cache(prefix, data[0], args.threads, args.batch_size)
    validation = cache(prefix, data[1], args.threads, args.batch_size)
    cached = time.perf_counter() - start
    print("%s: cache of %d images %s built in %.1f s" % (name, len(train[1]) + len(validation[1]),
                                                         tuple(train[0].shape[1:]), cached), flush=True)
    optimizer = torch.optim.RMSprop([p for p in suffix.parameters() if p.requires_grad],
                                    lr=lr, alpha=0.9, eps=1e-7)
    accuracies = []
    for epoch in range(epochs):
        run_epoch(suffix, train, optimizer, args.batch_size, generator)
        accuracies.append(accuracy(suffix, validation, args.batch_size))
        print("  epoch %d: %.1f s, val_accuracy %.4f" % (epoch + 1, time.perf_counter() - start, accuracies[-1]),
              flush=True)
    return cached, time.perf_counter() - start, accuracies


class Head(torch.nn.Module):
    """GlobalAveragePooling2D + Dense(1) on a feature map; on cached pooled features, the Dense alone."""

    def __init__(self):
        super().__init__()
        self.dense = torch.nn.Linear(1280, 1)
        torch.nn.init.xavier_uniform_(self.dense.weight)  # Keras' glorot_uniform, as ClassifierHead
        torch.nn.init.zeros_(self.dense.bias)

    def forward(self, x):
        return self.dense(x.mean(dim=(2, 3)) if x.dim() == 4 else x)


def parse_args():
    parser = argparse.ArgumentParser(description="The default catsdogs training workflow in PyTorch from Python.")
    parser.add_argument("--threads", type=int, default=2, help="PyTorch threads and decoding workers (default: 2)")
    parser.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data", "cats_and_dogs_filtered"))
    parser.add_argument("--weights", default=os.path.join(REPO, "models", "mobilenet_v2_1.0_224_int8_per_tensor.onnx"))
    parser.add_argument("--epochs", type=int, default=10, help="feature-extraction epochs (default: 10)")
    parser.add_argument("--fine-tune-epochs", type=int, default=10, help="fine-tuning epochs (default: 10)")
    parser.add_argument("--fine-tune-at", type=int, default=100, help="first trainable Keras layer (default: 100)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--every", metavar="K", type=int, default=1, help="every K-th image only (default: all)")
    args = parser.parse_args()
    for split in ("train", "validation"):
        if not os.path.isdir(os.path.join(args.data, split)):
            parser.error("--data %s: no %s/ folder with one folder per class" % (args.data, split))
    if not os.path.isfile(args.weights):
        parser.error("--weights %s: file not found" % args.weights)
    return args


def main():
    args = parse_args()
    if "jemalloc" not in os.environ.get("LD_PRELOAD", ""):
        print("workflow.py: warning: jemalloc is not preloaded (bench-train's launcher preloads it); PyTorch's"
              " CPU times here are then about 2x slower: LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
              " MALLOC_CONF=retain:true,dirty_decay_ms:-1,muzzy_decay_ms:-1", file=sys.stderr)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    data = (image_files(args.data, "train", args.every), image_files(args.data, "validation", args.every))
    model = mobilenet_v2(args.weights).eval()  # BatchNorm in inference mode throughout, as Keras' base
    head = Head()
    print("workflow.py: %d train / %d validation images, PyTorch %s, %d threads"
          % (len(data[0]), len(data[1]), torch.__version__, args.threads), flush=True)

    base = folded(model.features)
    fe_cache, fe, fe_acc = phase("feature extraction", lambda x: base(x).mean(dim=(2, 3)), head, data,
                                 args.epochs, 1e-4, args, generator)

    cut = cache_cut(model, args.fine_tune_at)
    freeze_before(model, args.fine_tune_at)
    prefix = folded(model.features[:cut])
    suffix = torch.nn.Sequential(*model.features[cut:], head)
    ft_cache, ft, ft_acc = phase("fine-tuning from layer %d (cache up to block %d)" % (args.fine_tune_at, cut - 2),
                                 prefix, suffix, data, args.fine_tune_epochs, 1e-5, args, generator)
    print("workflow: feature extraction %.1f s (cache %.1f s), fine-tuning %.1f s (cache %.1f s), total %.1f s"
          % (fe, fe_cache, ft, ft_cache, fe + ft))
    print(json.dumps({
        "torch": torch.__version__,
        "threads": args.threads,
        "train_images": len(data[0]),
        "validation_images": len(data[1]),
        "fe_cache_s": fe_cache,
        "fe_s": fe,
        "ft_cache_s": ft_cache,
        "ft_s": ft,
        "total_s": fe + ft,
        "fe_val_accuracy": fe_acc[-1] if fe_acc else None,
        "ft_val_accuracy": ft_acc[-1] if ft_acc else None,
    }))


if __name__ == "__main__":
    main()
