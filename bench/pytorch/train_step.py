#!/usr/bin/env python3
"""The reference for `catsdogs bench-train`: one MobileNetV2 training step in PyTorch from Python.

Same step as the Java side measures: batch 32, 3x160x160, every parameter trainable, BatchNorm in
inference mode, binary cross-entropy on one logit, RMSprop (alpha 0.9, eps 1e-7). Also inference
forwards: the eval-mode model as built (BatchNorm separate) and a copy with BatchNorm folded into
the convolutions (torch.fx's fuse), as our frozen layers run. Prints one JSON line with median
milliseconds.

    train_step.py [threads [steps]] [--fine-tune-at LAYER] [--batch-size N] [--device cpu|cuda[:N]]
                  [--profile TRACE [--forward]]

--device cuda runs everything on the first GPU (times with torch.cuda.synchronize()); it exits with
status 2 and says so when PyTorch sees no GPU.

With --fine-tune-at, only the parameters of Keras' MobileNetV2 layers from LAYER on (as the trainer's
--fine-tune-at counts them) and the classifier are trained; the others are frozen (requires_grad
False), as `catsdogs bench-train --profile` does on the Java side (default there: 100).

With --profile (`catsdogs bench-train --profile`), after the same warm-up, `steps` training steps are
recorded by the autograd profiler into TRACE, a Chrome trace like the one DJL's libtorch profiler
writes, instead of timing the step and the forward. With --forward as well, `steps` folded inference
forwards are recorded instead of training steps.

Run with Debian's python3-torch and python3-torchvision (installed by `catsdogs bench-train`'s set-up).
"""
import argparse
import copy
import json
import re
import statistics
import sys
import time

try:
    import torch
    import torch.fx.experimental.optimization
    import torchvision
except ImportError as missing:  # one line for bench-train, which says how to install it
    sys.exit(f"{missing.name} is not installed for {sys.executable}")


WARMUP = 3


def median_ms(fn, steps, sync):
    times = []
    for _ in range(steps):
        sync()
        start = time.perf_counter()
        fn()
        sync()  # CUDA kernels run asynchronously: wait for them
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def warmed_up_median_ms(fn, steps, sync):
    for _ in range(WARMUP):
        fn()
    return median_ms(fn, steps, sync)


def device_of(name):
    """The torch device for --device (cpu, cuda, cuda:N), or exit 2 with what is wrong."""
    if name == "cpu":
        return torch.device("cpu")
    index = int(name.partition(":")[2] or 0)
    if torch.cuda.device_count() <= index:
        print("train_step.py: --device %s, but PyTorch %s sees %d GPU(s) (built with CUDA: %s); use --device cpu"
              % (name, torch.__version__, torch.cuda.device_count(), torch.version.cuda or "no"), file=sys.stderr)
        sys.exit(2)
    return torch.device("cuda", index)


def device_name(device):
    return torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"


def keras_layer_parameters(model):
    """torchvision MobileNetV2's parameters by the index of the Keras MobileNetV2 layer they belong to.

    Keras numbers the layers input_1 (0), Conv1_pad, Conv1, bn_Conv1, Conv1_relu, then per inverted residual block
    [expand, expand_BN, expand_relu] (not block 0), [pad] (stride 2), depthwise, depthwise_BN,
    depthwise_relu, project, project_BN, [add] (residual), then Conv_1, Conv_1_bn, out_relu.
    """
    layers = {}
    features = list(model.features)
    stem = features[0]
    layers[2] = [stem[0].weight]
    layers[3] = [stem[1].weight, stem[1].bias]
    i = 5
    for block in features[1:-1]:
        convs = list(block.conv)
        if len(convs) == 4:  # expand, depthwise, project conv, project BN
            expand = convs.pop(0)
            layers[i] = [expand[0].weight]
            layers[i + 1] = [expand[1].weight, expand[1].bias]
            i += 3
        depthwise, project, project_bn = convs
        if depthwise[0].stride[0] == 2:
            i += 1  # ZeroPadding2D
        layers[i] = [depthwise[0].weight]
        layers[i + 1] = [depthwise[1].weight, depthwise[1].bias]
        layers[i + 3] = [project.weight]
        layers[i + 4] = [project_bn.weight, project_bn.bias]
        i += 5
        if block.use_res_connect:
            i += 1  # Add
    last = features[-1]
    layers[i] = [last[0].weight]
    layers[i + 1] = [last[1].weight, last[1].bias]
    assert i + 3 == 155, "expected Keras' 155 base layers (input included), counted %d" % (i + 3)
    return layers


def freeze_before(model, layer):
    """Leaves trainable only the base layers from `layer` on (Keras numbering) and the classifier."""
    for index, params in keras_layer_parameters(model).items():
        if index < layer:
            for p in params:
                p.requires_grad_(False)


def parse_args():
    parser = argparse.ArgumentParser(description="One MobileNetV2 training step in PyTorch from Python.")
    parser.add_argument("threads", type=int, nargs="?", default=2, help="PyTorch threads (default: 2)")
    parser.add_argument("steps", type=int, nargs="?", default=10, help="timed or profiled steps (default: 10)")
    parser.add_argument("--fine-tune-at", metavar="LAYER", type=int, default=0,
                        help="first trainable Keras layer of the base (default: 0, all trainable)")
    parser.add_argument("--batch-size", metavar="N", type=int, default=32, help="batch size (default: 32)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (default: cpu)")
    parser.add_argument("--profile", metavar="TRACE", help="profile the training step into this Chrome trace")
    parser.add_argument("--forward", action="store_true",
                        help="with --profile: profile the folded inference forward instead of the step")
    args = parser.parse_args()
    if args.batch_size < 1:
        parser.error("--batch-size %d: expected at least 1" % args.batch_size)
    if not re.fullmatch(r"cpu|cuda(:\d+)?", args.device):
        parser.error("--device %s: expected cpu, cuda or cuda:N" % args.device)
    if args.forward and not args.profile:
        parser.error("--forward goes with --profile")
    return args


def main():
    args = parse_args()
    threads = args.threads
    steps = args.steps
    device = device_of(args.device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = torchvision.models.mobilenet_v2(num_classes=1)  # architecture only; weights do not change the cost
    model.eval()  # BatchNorm in inference mode, as in the Java trainer
    # BatchNorm folded into the convolutions, as the Java side runs frozen layers (and inference engines run it).
    folded = torch.fx.experimental.optimization.fuse(copy.deepcopy(model)).to(device)
    model.to(device)
    freeze_before(model, args.fine_tune_at)
    x = (torch.rand(args.batch_size, 3, 160, 160) * 2 - 1).to(device)
    y = torch.randint(0, 2, (args.batch_size,)).float().to(device)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.RMSprop(trainable, lr=1e-5, alpha=0.9, eps=1e-7)
    loss_fn = torch.nn.BCEWithLogitsLoss()

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x).reshape(-1), y)
        loss.backward()
        optimizer.step()

    def forward():
        with torch.no_grad():
            model(x)

    def forward_folded():
        with torch.no_grad():
            folded(x)

    common = {
        "torch": torch.__version__,
        "threads": threads,
        "device": str(device),
        "device_name": device_name(device),
        "batch_size": args.batch_size,
    }
    if args.profile:
        profiled = forward_folded if args.forward else step
        for _ in range(WARMUP):
            profiled()
        # The legacy autograd profiler (1.13's default): one event per operator call, as DJL's trace has.
        with torch.autograd.profiler.profile(use_cuda=device.type == "cuda") as prof:
            step_ms = median_ms(profiled, steps, sync)
        prof.export_chrome_trace(args.profile)
        result = dict(common, **{
            "profiled": "folded forward" if args.forward else "training step",
            "profiled_steps": steps,
            "profiled_step_ms": step_ms,
            "fine_tune_at": args.fine_tune_at,
            "trainable_tensors": len(trainable),
            "trace": args.profile,
        })
    else:
        result = dict(common, **{
            "train_step_ms": warmed_up_median_ms(step, steps, sync),
            "forward_ms": warmed_up_median_ms(forward, steps, sync),
            "forward_folded_ms": warmed_up_median_ms(forward_folded, steps, sync),
        })
    print(json.dumps(result))


if __name__ == "__main__":
    main()
